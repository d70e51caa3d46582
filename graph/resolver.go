package graph

import (
	"github.com/stillroom/stillroom/app"
)

// Resolver is the root resolver: the one place dependencies come in.
type Resolver struct {
	App *app.Service

	views viewCache // renditions and srcsets of assets, by version
}
