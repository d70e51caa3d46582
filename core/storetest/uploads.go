package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

func testUploadTickets(t *testing.T, db core.Store) {
	ctx := t.Context()
	tk := &core.UploadTicket{ID: core.NewID(), Key: "incoming/x", UserID: "u1", Filename: "a.jpg",
		ContentType: "image/jpeg", ByteSize: 10, MaxBytes: 100, ExpiresAt: at(time.Minute), CreatedAt: at(0)}
	mustNil(t, db.InsertTicket(ctx, tk))
	got, err := db.TicketByID(ctx, tk.ID)
	mustNil(t, err)
	wantEqual(t, got, tk)
	_, err = db.TicketByID(ctx, "nope")
	wantCode(t, err, core.CodeNotFound)
	wantCode(t, db.UseTicket(ctx, "nope", at(0)), core.CodeNotFound)

	// A ticket is used once.
	mustNil(t, db.UseTicket(ctx, tk.ID, at(time.Second)))
	wantCode(t, db.UseTicket(ctx, tk.ID, at(2*time.Second)), core.CodeConflict)
	got, err = db.TicketByID(ctx, tk.ID)
	mustNil(t, err)
	if got.UsedAt == nil || !got.UsedAt.Equal(at(time.Second)) {
		t.Errorf("UsedAt = %v, want %v", got.UsedAt, at(time.Second))
	}
	n, err := db.DeleteTicketsExpiredBefore(ctx, at(2*time.Minute))
	mustNil(t, err)
	if n != 1 {
		t.Errorf("deleted %d expired tickets, want 1", n)
	}
}

// Eight concurrent uses of one ticket: exactly one wins.
func testConcurrentTicketUses(t *testing.T, db core.Store) {
	needsAtomic(t, db)
	ctx := t.Context()
	tk := &core.UploadTicket{ID: core.NewID(), Key: "incoming/x", UserID: "u1", ExpiresAt: at(time.Minute), CreatedAt: at(0)}
	mustNil(t, db.InsertTicket(ctx, tk))
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Go(func() { results <- db.UseTicket(ctx, tk.ID, at(time.Second)) })
	}
	wg.Wait()
	close(results)
	won := 0
	for err := range results {
		if err == nil {
			won++
		} else if !core.IsCode(err, core.CodeConflict) {
			t.Errorf("UseTicket: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d uses won, want 1", won)
	}
}

func testSettingOrInit(t *testing.T, db core.Store) {
	ctx := t.Context()
	var wg sync.WaitGroup
	values := make(chan string, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := db.SettingOrInit(ctx, "key", string(rune('a'+i)))
			if err != nil {
				t.Error(err)
			}
			values <- v
		}()
	}
	wg.Wait()
	close(values)
	first := ""
	for v := range values {
		if first == "" {
			first = v
		} else if v != first {
			t.Errorf("callers got %q and %q", first, v)
		}
	}
}
