package httpapi

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules: the HTTP edge reaches the stores only through the app
// (ARCHITECTURE.md): no adapter, and not the server's main, is among its
// dependencies (its tests may use them).
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, banned := range []string{
			"github.com/stillroom/stillroom/sqlitestore", "github.com/stillroom/stillroom/mongostore",
			"github.com/stillroom/stillroom/media/localstore", "github.com/stillroom/stillroom/media/s3store",
			"github.com/stillroom/stillroom/server", "github.com/minio/minio-go", "go.mongodb.org/mongo-driver",
		} {
			if p == banned || strings.HasPrefix(p, banned+"/") {
				t.Errorf("httpapi depends on %s", p)
			}
		}
	}
}
