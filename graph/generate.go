// Package graph is the GraphQL layer: gqlgen's generated executor and thin
// resolvers that check nothing themselves and call the app services.
package graph

// gqlgenpost runs gqlgen (its api package, with a plugin) and rewrites the
// executor it wrote; upgrading gqlgen is
// `go get github.com/99designs/gqlgen@vX && go generate ./...`.
//go:generate sh -c "cd .. && go run ./internal/tools/gqlgenpost"
