package app_test

import (
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
)

// TestPublishedAtIsWhenReadersFirstSawIt: rescheduling a scheduled article
// later moves publishedAt with it (the earlier time was never seen);
// once it has been seen, republishing keeps the first time.
func TestPublishedAtIsWhenReadersFirstSawIt(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	title := "Lịch xuất bản"
	art, err := f.svc.CreateArticle(f.ctx, app.ArticlePatch{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	mon := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Millisecond)
	wed := mon.Add(48 * time.Hour)
	if _, err := f.svc.PublishArticle(f.ctx, art.ID, &mon, false, nil); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.PublishArticle(f.ctx, art.ID, &wed, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Publication.PublishedAt.Equal(wed) {
		t.Errorf("rescheduled to %v but publishedAt %v, a time it was never visible", wed, *got.Publication.PublishedAt)
	}
	// Unpublished and published now: now is the first time it is seen.
	if _, err := f.svc.UnpublishArticle(f.ctx, art.ID, nil); err != nil {
		t.Fatal(err)
	}
	got, err = f.svc.PublishArticle(f.ctx, art.ID, nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := *got.Publication.PublishedAt
	if !first.Before(mon) {
		t.Errorf("published now, publishedAt %v", first)
	}
	// Seen since: scheduling it again later keeps the first time.
	if got, err = f.svc.PublishArticle(f.ctx, art.ID, &wed, false, nil); err != nil {
		t.Fatal(err)
	}
	if !got.Publication.PublishedAt.Equal(first) {
		t.Errorf("republished after being seen: publishedAt %v, want the first %v", *got.Publication.PublishedAt, first)
	}
}
