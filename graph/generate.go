// Package graph is the GraphQL layer: gqlgen's generated executor and thin
// resolvers that check nothing themselves and call the app services.
package graph

//go:generate sh -c "cd .. && go tool gqlgen generate && go run ./internal/tools/gqlgenpost graph/generated.go"
