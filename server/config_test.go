package main

import (
	"strings"
	"testing"
)

// TestBooleanSettings: on/off, yes/no, true/false and 1/0 are read as such;
// anything else is refused with the variable's name rather than read as
// false (STILLROOM_S3_USE_TLS=enabled must not mean plain http).
func TestBooleanSettings(t *testing.T) {
	for v, want := range map[string]bool{"on": true, "YES": true, "1": true, "true": true, "off": false, "no": false, "0": false, "": false} {
		cfg, err := parseConfig(nil, func(k string) string {
			if k == "STILLROOM_S3_USE_TLS" {
				return v
			}
			return ""
		})
		if err != nil || cfg.S3.UseTLS != want {
			t.Errorf("STILLROOM_S3_USE_TLS=%q: %v, %v; want %v", v, cfg.S3.UseTLS, err, want)
		}
	}
	_, err := parseConfig(nil, func(k string) string {
		if k == "STILLROOM_S3_USE_TLS" {
			return "enabled"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "STILLROOM_S3_USE_TLS") {
		t.Errorf("STILLROOM_S3_USE_TLS=enabled: %v, want an error naming it", err)
	}
}

// TestDecodeCapFollowsBudget: the most one image may hold is three halves
// of the decode budget, the default's ratio, whatever the budget is set to.
func TestDecodeCapFollowsBudget(t *testing.T) {
	for budget, want := range map[string]int64{"": 768 << 20, "268435456": 384 << 20} {
		cfg, err := parseConfig(nil, func(k string) string {
			if k == "STILLROOM_MEMORY_BUDGET" {
				return budget
			}
			return ""
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.appConfig().ImageLimits.MaxDecodeBytes; got != want {
			t.Errorf("STILLROOM_MEMORY_BUDGET=%q: an image may hold %d bytes, want %d", budget, got, want)
		}
	}
}
