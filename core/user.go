package core

import "time"

// Role is what a signed-in user may do. Anonymous callers have no role.
type Role string

// The roles, from least to most powerful.
const (
	RolePhotographer Role = "PHOTOGRAPHER"
	RoleEditor       Role = "EDITOR"
	RoleAdmin        Role = "ADMIN"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RolePhotographer || r == RoleEditor || r == RoleAdmin
}

// rank orders roles: anonymous 0, photographer 1, editor 2, admin 3.
func (r Role) rank() int {
	switch r {
	case RolePhotographer:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() }

// User is an account. PasswordHash is never shown to clients.
type User struct {
	ID           string
	Email        string // lower-cased, unique
	Name         string
	Role         Role
	PasswordHash string
	// Disabled accounts cannot sign in, and their sessions are refused
	// (app.Authenticate) until the account is enabled again.
	Disabled bool
	// Version counts the account's changes: an update is written only over
	// the version it read (Users.UpdateUser), so a change another process
	// made meanwhile (a password reset, a disable) is never overwritten.
	// Accounts stored before users had versions read as version 0.
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Session is a signed-in bearer token. Only the token's SHA-256 is stored.
type Session struct {
	TokenHash string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}
