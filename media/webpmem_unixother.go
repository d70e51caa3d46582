//go:build unix && !linux

package media

// mapNoReserve is Linux's alone; elsewhere mappings commit lazily anyway.
const mapNoReserve = 0
