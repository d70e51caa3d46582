package media

import "syscall"

// mapNoReserve asks Linux not to reserve swap for the whole mapping: only
// the pages touched are committed.
const mapNoReserve = syscall.MAP_NORESERVE
