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
