package main
import (
 _ "github.com/prometheus/client_golang/prometheus"
 _ "github.com/prometheus/client_golang/prometheus/testutil"
 _ "github.com/prometheus/client_golang/prometheus/collectors/version"
 _ "github.com/prometheus/exporter-toolkit/web"
 _ "github.com/prometheus/exporter-toolkit/web/kingpinflag"
 _ "github.com/prometheus/common/promslog"
 _ "github.com/prometheus/common/promslog/flag"
 _ "github.com/prometheus/common/model"
 _ "github.com/alecthomas/kingpin/v2"
 _ "go.yaml.in/yaml/v3"
 _ "golang.org/x/sync/errgroup"
)
func main(){}
