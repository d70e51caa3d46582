package mongostore

import (
	"context"
	"time"

	"github.com/stillroom/stillroom/core"
)

// assetDoc is a core.Asset as stored in the assets collection.
type assetDoc struct {
	ID              string         `bson:"_id"`
	Status          string         `bson:"status"`
	Error           string         `bson:"error,omitempty"`
	Filename        string         `bson:"filename"`
	MimeType        string         `bson:"mimeType"`
	ByteSize        int64          `bson:"byteSize"`
	SHA256          string         `bson:"sha256"`
	OriginalKey     string         `bson:"originalKey"`
	Width           int            `bson:"width"`
	Height          int            `bson:"height"`
	Caption         string         `bson:"caption"`
	AltText         string         `bson:"altText"`
	Credit          string         `bson:"credit"`
	Copyright       string         `bson:"copyright"`
	Tags            []string       `bson:"tags,omitempty"`
	TakenAt         *time.Time     `bson:"takenAt,omitempty"`
	Timecode        *timecodeDoc   `bson:"timecode,omitempty"`
	Camera          *cameraDoc     `bson:"camera,omitempty"`
	Location        *geoPointDoc   `bson:"location,omitempty"`
	Blurhash        string         `bson:"blurhash,omitempty"`
	DominantColor   string         `bson:"dominantColor,omitempty"`
	FocalPoint      *focalPointDoc `bson:"focalPoint,omitempty"`
	Renditions      []renditionDoc `bson:"renditions,omitempty"`
	PipelineVersion int            `bson:"pipelineVersion"`
	UploadedBy      string         `bson:"uploadedBy"`
	SearchTokens    []string       `bson:"searchTokens,omitempty"`
	Sort            *sortDoc       `bson:"sort,omitempty"`
	Version         int            `bson:"version"`
	EditVersion     int            `bson:"editVersion,omitempty"`
	CreatedAt       time.Time      `bson:"createdAt"`
	UpdatedAt       time.Time      `bson:"updatedAt"`
}

type timecodeDoc struct {
	Hours   int `bson:"hours"`
	Minutes int `bson:"minutes"`
	Seconds int `bson:"seconds"`
	Frames  int `bson:"frames"`
	Still   int `bson:"still"`
}

type cameraDoc struct {
	Make         string  `bson:"make,omitempty"`
	Model        string  `bson:"model,omitempty"`
	Lens         string  `bson:"lens,omitempty"`
	FocalLength  float64 `bson:"focalLength,omitempty"`
	Aperture     float64 `bson:"aperture,omitempty"`
	ExposureTime string  `bson:"exposureTime,omitempty"`
	ISO          int     `bson:"iso,omitempty"`
}

type geoPointDoc struct {
	Lat float64 `bson:"lat"`
	Lng float64 `bson:"lng"`
}

type focalPointDoc struct {
	X float64 `bson:"x"`
	Y float64 `bson:"y"`
}

type renditionDoc struct {
	Name     string `bson:"name"`
	Width    int    `bson:"width"`
	Height   int    `bson:"height"`
	Format   string `bson:"format"`
	ByteSize int64  `bson:"byteSize"`
	Key      string `bson:"key"`
	ETag     string `bson:"etag"`
}

func toAssetDoc(a *core.Asset) *assetDoc {
	d := &assetDoc{
		ID:              a.ID,
		Status:          string(a.Status),
		Error:           a.Error,
		Filename:        a.Filename,
		MimeType:        a.MimeType,
		ByteSize:        a.ByteSize,
		SHA256:          a.SHA256,
		OriginalKey:     a.OriginalKey,
		Width:           a.Width,
		Height:          a.Height,
		Caption:         a.Caption,
		AltText:         a.AltText,
		Credit:          a.Credit,
		Copyright:       a.Copyright,
		Tags:            nilIfEmpty(a.Tags),
		TakenAt:         storedTimePtr(a.TakenAt),
		Blurhash:        a.Blurhash,
		DominantColor:   a.DominantColor,
		PipelineVersion: a.PipelineVersion,
		UploadedBy:      a.UploadedBy,
		SearchTokens:    nilIfEmpty(a.SearchTokens),
		Version:         a.Version,
		EditVersion:     a.EditVersion,
		CreatedAt:       storedTime(a.CreatedAt),
		UpdatedAt:       storedTime(a.UpdatedAt),
	}
	if t := a.Timecode; t != nil {
		d.Timecode = &timecodeDoc{Hours: t.Hours, Minutes: t.Minutes, Seconds: t.Seconds, Frames: t.Frames, Still: t.Still}
	}
	if c := a.Camera; c != nil {
		d.Camera = &cameraDoc{
			Make: c.Make, Model: c.Model, Lens: c.Lens, FocalLength: c.FocalLength,
			Aperture: c.Aperture, ExposureTime: c.ExposureTime, ISO: c.ISO,
		}
	}
	if l := a.Location; l != nil {
		d.Location = &geoPointDoc{Lat: l.Lat, Lng: l.Lng}
	}
	if f := a.FocalPoint; f != nil {
		d.FocalPoint = &focalPointDoc{X: f.X, Y: f.Y}
	}
	for _, r := range a.Renditions {
		d.Renditions = append(d.Renditions, renditionDoc{
			Name: r.Name, Width: r.Width, Height: r.Height, Format: r.Format,
			ByteSize: r.ByteSize, Key: r.Key, ETag: r.ETag,
		})
	}
	d.Sort = assetSortDoc(a)
	return d
}

func (d *assetDoc) toCore() *core.Asset {
	a := &core.Asset{
		ID:              d.ID,
		Status:          core.AssetStatus(d.Status),
		Error:           d.Error,
		Filename:        d.Filename,
		MimeType:        d.MimeType,
		ByteSize:        d.ByteSize,
		SHA256:          d.SHA256,
		OriginalKey:     d.OriginalKey,
		Width:           d.Width,
		Height:          d.Height,
		Caption:         d.Caption,
		AltText:         d.AltText,
		Credit:          d.Credit,
		Copyright:       d.Copyright,
		Tags:            nilIfEmpty(d.Tags),
		TakenAt:         d.TakenAt,
		Blurhash:        d.Blurhash,
		DominantColor:   d.DominantColor,
		PipelineVersion: d.PipelineVersion,
		UploadedBy:      d.UploadedBy,
		SearchTokens:    nilIfEmpty(d.SearchTokens),
		Version:         d.Version,
		EditVersion:     d.EditVersion,
		CreatedAt:       d.CreatedAt,
		UpdatedAt:       d.UpdatedAt,
	}
	if t := d.Timecode; t != nil {
		a.Timecode = &core.Timecode{Hours: t.Hours, Minutes: t.Minutes, Seconds: t.Seconds, Frames: t.Frames, Still: t.Still}
	}
	if c := d.Camera; c != nil {
		a.Camera = &core.Camera{
			Make: c.Make, Model: c.Model, Lens: c.Lens, FocalLength: c.FocalLength,
			Aperture: c.Aperture, ExposureTime: c.ExposureTime, ISO: c.ISO,
		}
	}
	if l := d.Location; l != nil {
		a.Location = &core.GeoPoint{Lat: l.Lat, Lng: l.Lng}
	}
	if f := d.FocalPoint; f != nil {
		a.FocalPoint = &core.FocalPoint{X: f.X, Y: f.Y}
	}
	for _, r := range d.Renditions {
		a.Renditions = append(a.Renditions, core.Rendition{
			Name: r.Name, Width: r.Width, Height: r.Height, Format: r.Format,
			ByteSize: r.ByteSize, Key: r.Key, ETag: r.ETag,
		})
	}
	return a
}

const conflictSHA256 = "asset with the same content exists"

// InsertAsset stores a. CONFLICT when an asset with its SHA256 exists.
func (db *DB) InsertAsset(ctx context.Context, a *core.Asset) error {
	err := db.insertDoc(ctx, db.assets, toAssetDoc(a))
	return translate(err, "insert", "asset "+a.ID, conflictSHA256)
}

// AssetByID returns the asset with id; NOT_FOUND when there is none.
func (db *DB) AssetByID(ctx context.Context, id string) (*core.Asset, error) {
	var d assetDoc
	if err := findOne(ctx, db, db.assets, eq("_id", id), &d); err != nil {
		return nil, translate(err, "find", "asset "+id, "")
	}
	return d.toCore(), nil
}

// AssetBySHA256 returns the asset whose original has the hex SHA-256;
// NOT_FOUND when there is none.
func (db *DB) AssetBySHA256(ctx context.Context, sha256 string) (*core.Asset, error) {
	var d assetDoc
	if err := findOne(ctx, db, db.assets, eq("sha256", sha256), &d); err != nil {
		return nil, translate(err, "find", "asset with SHA-256 "+sha256, "")
	}
	return d.toCore(), nil
}

// AssetsByIDs returns the assets that exist among ids, newest first.
func (db *DB) AssetsByIDs(ctx context.Context, ids []string) ([]*core.Asset, error) {
	docs, err := findByIDs[assetDoc](ctx, db, db.assets, ids)
	if err != nil {
		return nil, translate(err, "find", "assets by id", "")
	}
	out := make([]*core.Asset, len(docs))
	for i := range docs {
		out[i] = docs[i].toCore()
	}
	return out, nil
}

// UpdateAsset replaces the stored asset if its version is still a.Version,
// then increments a.Version. CONFLICT when stale or when another asset has
// the new SHA256, NOT_FOUND when gone.
func (db *DB) UpdateAsset(ctx context.Context, a *core.Asset) error {
	d := toAssetDoc(a)
	d.Version = a.Version + 1
	if err := db.replaceVersioned(ctx, db.assets, a.ID, a.Version, d, "asset "+a.ID, conflictSHA256); err != nil {
		return err
	}
	a.Version++
	return nil
}

// DeleteAsset removes the asset's metadata; NOT_FOUND when there is none.
func (db *DB) DeleteAsset(ctx context.Context, id string) error {
	return db.deleteByID(ctx, db.assets, id, "asset "+id)
}

// ListAssets returns a page of the assets matching q, newest first.
// TakenAfter is inclusive and TakenBefore exclusive; assets without TakenAt
// match neither. A non-nil empty IDs matches nothing. BAD_USER_INPUT when
// the limit is out of range.
func (db *DB) ListAssets(ctx context.Context, q core.AssetQuery) (core.PageOf[*core.Asset], error) {
	var cs conds
	if q.Status != "" {
		cs = append(cs, eq("status", string(q.Status)))
	}
	if q.UploadedBy != "" {
		cs = append(cs, eq("uploadedBy", q.UploadedBy))
	}
	if q.IDs != nil {
		cs = append(cs, op("_id", "$in", q.IDs))
	}
	if len(q.ExcludeIDs) > 0 {
		cs = append(cs, op("_id", "$nin", q.ExcludeIDs))
	}
	if q.TakenAfter != nil {
		cs = append(cs, op("takenAt", "$gte", *q.TakenAfter))
	}
	if q.TakenBefore != nil {
		cs = append(cs, op("takenAt", "$lt", *q.TakenBefore))
	}
	if q.PipelineBelow > 0 {
		cs = append(cs, op("pipelineVersion", "$lt", q.PipelineBelow))
	}
	cs = append(cs, searchConds(q.Search)...)
	return listPage(ctx, db, db.assets, cs, q.Page, (*assetDoc).toCore)
}
