package config

import (
	"fmt"
	"time"
)

// Refresh overrides global.min_refresh_interval for one account: NCP demand
// settles once a day while PortOne schedules change by the hour, so each
// account (and each NCP collector) may call its upstream at its own pace
// while Prometheus scrapes everything every minute.
type Refresh struct {
	// MinRefreshInterval applies to every collector of the account; nil
	// means global.min_refresh_interval.
	MinRefreshInterval *Duration `yaml:"min_refresh_interval"`
	// ByCollector overrides MinRefreshInterval per collector.
	ByCollector map[string]Duration `yaml:"min_refresh_interval_by_collector"`
}

// interval is the refresh interval of one collector.
func (r Refresh) interval(global Duration, collector string) time.Duration {
	if d, ok := r.ByCollector[collector]; ok {
		return time.Duration(d)
	}
	if r.MinRefreshInterval != nil {
		return time.Duration(*r.MinRefreshInterval)
	}
	return time.Duration(global)
}

func (r Refresh) validate(collectors []string) error {
	if r.MinRefreshInterval != nil && *r.MinRefreshInterval < 0 {
		return fmt.Errorf(`field "min_refresh_interval": must not be negative, got -%s`, -*r.MinRefreshInterval)
	}
	for name, d := range r.ByCollector {
		if err := checkChoice("min_refresh_interval_by_collector", name, collectors...); err != nil {
			return err
		}
		if d < 0 {
			return fmt.Errorf(`field "min_refresh_interval_by_collector": %s: must not be negative, got -%s`, name, -d)
		}
	}
	return nil
}

// MinRefreshInterval is how long the named collector of an account reuses
// an upstream result: the collector's own setting, else the account's, else
// global.min_refresh_interval.
func (c *Config) MinRefreshInterval(provider, account, collector string) time.Duration {
	var r Refresh
	switch provider {
	case "ncloud":
		for _, a := range c.NCloud {
			if a.Name == account {
				r = Refresh{MinRefreshInterval: a.MinRefreshInterval, ByCollector: a.MinRefreshIntervalByCollector}
			}
		}
	case "vgp":
		for _, a := range c.VGP {
			if a.Name == account {
				r.MinRefreshInterval = a.MinRefreshInterval
			}
		}
	case "portone":
		for _, a := range c.PortOne {
			if a.Name == account {
				r.MinRefreshInterval = a.MinRefreshInterval
			}
		}
	}
	return r.interval(c.Global.MinRefreshInterval, collector)
}
