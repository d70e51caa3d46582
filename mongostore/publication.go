package mongostore

import (
	"time"

	"github.com/stillroom/stillroom/core"
)

// publicationDoc is a core.Publication, inlined into gallery and article
// documents so (status, publishAt) can be indexed together.
type publicationDoc struct {
	Status      string     `bson:"status"`
	PublishAt   *time.Time `bson:"publishAt,omitempty"`
	PublishedAt *time.Time `bson:"publishedAt,omitempty"`
}

func toPublicationDoc(p core.Publication) publicationDoc {
	return publicationDoc{
		Status:      string(p.Status),
		PublishAt:   storedTimePtr(p.PublishAt),
		PublishedAt: storedTimePtr(p.PublishedAt),
	}
}

func (d publicationDoc) toCore() core.Publication {
	return core.Publication{
		Status:      core.PublishStatus(d.Status),
		PublishAt:   d.PublishAt,
		PublishedAt: d.PublishedAt,
	}
}

// checkPublication returns BAD_USER_INPUT unless p can be stored: status
// DRAFT or PUBLISHED (SCHEDULED is PUBLISHED with a future PublishAt), and
// PublishAt set when PUBLISHED. The publication filter depends on both.
func checkPublication(p core.Publication) error {
	switch p.Status {
	case core.StatusDraft:
		return nil
	case core.StatusPublished:
		if p.PublishAt == nil {
			return core.Errorf(core.CodeBadUserInput, "published content needs a publication time")
		}
		return nil
	}
	return core.Errorf(core.CodeBadUserInput, "cannot store publication status %q", p.Status)
}

// publicationConds selects by effective status at f.Now, as
// core.Publication.EffectiveStatus computes it. A zero Now means the
// current time.
func publicationConds(f core.PublicationFilter) (conds, error) {
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	switch f.Status {
	case "":
		return nil, nil
	case core.StatusDraft:
		return conds{eq("status", string(core.StatusDraft))}, nil
	case core.StatusScheduled:
		return conds{eq("status", string(core.StatusPublished)), op("publishAt", "$gt", now)}, nil
	case core.StatusPublished:
		return conds{eq("status", string(core.StatusPublished)), op("publishAt", "$lte", now)}, nil
	}
	return nil, core.Errorf(core.CodeBadUserInput, "unknown publication status %q", f.Status)
}
