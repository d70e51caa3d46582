package mongostore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/storetest"
	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/mongotest"
)

// commandLog records the names of the commands a store sends.
type commandLog struct {
	mu    sync.Mutex
	names []string
}

func (c *commandLog) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		c.mu.Lock()
		c.names = append(c.names, e.CommandName)
		c.mu.Unlock()
	}}
}

func (c *commandLog) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.names
	c.names = nil
	return n
}

func TestListRoundTrips(t *testing.T) {
	ctx := t.Context()
	var log commandLog
	db := mongotest.Open(t, mongostore.Config{Monitor: log.monitor()})
	for i := range 3 {
		mustNil(t, db.InsertArticle(ctx, storetest.DraftArticle(fmt.Sprint("a-", i))))
	}
	tests := []struct {
		name  string
		page  core.Page
		total int64
		want  []string
	}{
		{"first page holds all: no count", core.Page{Limit: 10}, 3, []string{"find"}},
		{"more follow: count", core.Page{Limit: 2}, 3, []string{"find", "aggregate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log.take()
			p, err := db.ListArticles(ctx, core.ArticleQuery{Page: tt.page})
			mustNil(t, err)
			if p.Total != tt.total {
				t.Errorf("Total = %d, want %d", p.Total, tt.total)
			}
			wantEqual(t, log.take(), tt.want)
		})
	}
}
