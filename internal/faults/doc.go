// Package faults holds end-to-end tests of the real server binary
// (internal/servertest) while what it depends on fails: a node of a
// distributed MinIO killed during a photographer's shoot. It has no code
// of its own; its tests need the MinIO binary (see internal/testenv) and
// fail without it when CI=true.
package faults
