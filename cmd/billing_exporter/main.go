// Command billing_exporter exports balances, bills and scheduled payments of
// Korean billing APIs (NAVER Cloud Platform, VGP, PortOne) to Prometheus.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/buildinfo"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox"
	"github.com/billingexporter/billing_exporter/internal/server"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

const program = "billing_exporter"

func main() {
	buildinfo.Fill()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// flags are the command line, parsed by kingpin.
type flags struct {
	metricsPath   string
	configFile    string
	configCheck   bool
	demo          bool
	timeoutOffset time.Duration
	maxRequests   int
	maxConns      int
	lifecycle     bool
	exporterOnly  bool
	web           *web.FlagConfig
	log           *promslog.Config
}

func parseFlags(args []string, stdout, stderr io.Writer) (*flags, int, bool) {
	app := kingpin.New(program, "Prometheus exporter for NAVER Cloud Platform, VGP and PortOne billing APIs.")
	f := &flags{log: &promslog.Config{}}
	app.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").StringVar(&f.metricsPath)
	app.Flag("web.enable-lifecycle", "Enable POST /-/reload (the configuration is also reloaded on SIGHUP).").BoolVar(&f.lifecycle)
	app.Flag("metrics.exporter-only", "Serve only the exporter's own metrics (build info, Go, process, upstream requests) on --web.telemetry-path; scrape each account through /probe.").BoolVar(&f.exporterOnly)
	app.Flag("web.max-requests", "Maximum number of concurrent scrape requests; 0 disables the limit.").Default("40").IntVar(&f.maxRequests)
	app.Flag("web.max-connections", "Maximum number of simultaneous connections; more are closed on arrival. 0 disables the limit.").Default("512").IntVar(&f.maxConns)
	app.Flag("config.file", "Configuration file.").Default("billing_exporter.yml").StringVar(&f.configFile)
	app.Flag("config.check", "Validate the configuration file (and the secret files it names), then exit 0 if it is valid, 1 if not.").BoolVar(&f.configCheck)
	app.Flag("scrape.timeout-offset", "Subtracted from the scrape timeout Prometheus announces, to leave time to send the answer.").Default("500ms").DurationVar(&f.timeoutOffset)
	app.Flag("demo", "Serve demo data from built-in fake upstreams on loopback; needs no credentials and ignores --config.file.").BoolVar(&f.demo)
	f.web = kingpinflag.AddFlags(app, ":9977")
	promslogflag.AddFlags(app, f.log)
	app.Version(version.Print(program))
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	app.HelpFlag.Short('h')
	exited := false
	code := 0
	app.Terminate(func(c int) { exited, code = true, c })
	if _, err := app.Parse(args); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", program, err)
		return nil, 2, true
	}
	if exited {
		return nil, code, true
	}
	if f.timeoutOffset < 0 {
		fmt.Fprintf(stderr, "%s: --scrape.timeout-offset must not be negative\n", program)
		return nil, 2, true
	}
	return f, 0, false
}

func run(args []string, stdout, stderr io.Writer) int {
	f, code, done := parseFlags(args, stdout, stderr)
	if done {
		return code
	}
	f.log.Writer = stderr
	logger := promslog.New(f.log)

	if f.configCheck {
		if _, err := config.Load(f.configFile); err != nil {
			logger.Error("Configuration is invalid", "err", err)
			return 1
		}
		logger.Info("Configuration is valid", "file", f.configFile)
		return 0
	}

	logger.Info("Starting "+program, "version", version.Info())
	logger.Info("Build context", "build_context", version.BuildContext())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var load func() (*config.Config, error)
	if f.demo {
		demo, err := sandbox.StartDemo(ctx, logger)
		if err != nil {
			logger.Error("Starting the demo upstreams failed", "err", err)
			return 1
		}
		logger.Info("Demo mode: serving data from built-in fake upstreams on loopback", "accounts", demo.Accounts())
		load = func() (*config.Config, error) { return demo, nil }
	} else {
		load = func() (*config.Config, error) { return config.Load(f.configFile) }
	}
	cfg, err := load()
	if err != nil {
		logger.Error("Loading configuration failed", "err", err)
		return 1
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		versioncollector.NewCollector(program),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	requests := upstream.NewRequestCounter(reg)
	var srv *server.Server
	build := func(cfg *config.Config) (*collector.Exporter, error) {
		o := collector.Options{Logger: logger, Requests: requests}
		if srv != nil {
			o.Previous = srv.Exporter() // unchanged accounts keep their caches
		}
		return collector.New(cfg, o)
	}
	exp, err := build(cfg)
	if err != nil {
		logger.Error("Building collectors failed", "err", err)
		return 1
	}
	srv, err = server.New(server.Options{
		Logger:        logger,
		MetricsPath:   f.metricsPath,
		Gatherer:      reg,
		Registerer:    reg,
		TimeoutOffset: f.timeoutOffset,
		MaxRequests:   f.maxRequests,
		ExporterOnly:  f.exporterOnly,
		Version:       version.Info(),
		Demo:          f.demo,
	})
	if err != nil {
		logger.Error("Building the HTTP handlers failed", "err", err)
		return 1
	}
	srv.SetExporter(exp)
	srv.EnableReload(func() (*collector.Exporter, error) {
		cfg, err := load()
		if err != nil {
			return nil, err
		}
		return build(cfg)
	}, f.lifecycle, reg, collector.ForgetRemoved)
	logger.Info("Collectors ready", "accounts", cfg.Accounts(), "targets", len(exp.Targets()))

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-hup:
				_ = srv.Reload() // logged and counted by Reload
			case <-ctx.Done():
				return
			}
		}
	}()

	httpServer := server.NewHTTPServer(srv, logger)
	server.LimitConnections(httpServer, f.maxConns, reg)
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(httpServer, f.web, logger) }()
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("HTTP server failed", "err", err)
			return 1
		}
	case <-ctx.Done():
		logger.Info("Shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = httpServer.Shutdown(shutdownCtx)
	}
	return 0
}
