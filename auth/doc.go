// Package auth authenticates requests and authorises them by scope, the Go
// form of Nexios' authentication: backends for sessions, JWT bearer tokens,
// API keys and HTTP Basic; a JWT issuer with access and refresh tokens,
// rotation and revocation; password hashing (argon2id, bcrypt verified
// too), a password-strength rule and login throttling.
//
//	jwtAuth, err := auth.NewJWT(auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
//	app.Use(nexios.Must(auth.Middleware(&auth.JWTBackend{JWT: jwtAuth})))
//
//	app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
//		return res.JSON(map[string]string{"user": req.User().DisplayName()})
//	}, auth.Required())                   // 401 for anonymous requests
//	app.Delete("/users/{id}", deleteUser, auth.Required("admin")) // 403 without the scope
//
// The middleware (Middleware) tries each backend and sets req.User(); it
// never rejects a request by itself, so public routes stay public. Require
// (middleware for an app or router), Required (a route option) and Check
// (in a handler) reject: 401 with a WWW-Authenticate challenge for an
// anonymous request (Nexios' @auth() let anonymous users through; this does
// not), 403 for a missing scope. Rejections are problem+json documents whose
// detail says why a credential was refused ("token expired").
//
// Backends report a wrong credential as an *Error (401): compare with
// errors.Is against ErrTokenExpired, ErrTokenRevoked, ErrInvalidCredentials
// and the others. Loaders return ErrUserInactive to refuse a disabled
// account.
//
// Tokens: access and refresh tokens carry a unique jti, exp, iat and a
// token_type, so a refresh token is never accepted as an access token; the
// tokens of one sign-in share a family (claim "fam"). Verification pins
// each key to one algorithm (no "none", no HS/RS confusion), refuses crit
// and duplicate header parameters, requires exp and checks nbf, iat, iss
// and aud with a configurable leeway, then the RevocationList (access
// tokens too, by default). Refresh rotates the refresh token on every use,
// atomically (RevokeOnce), and a used refresh token presented again
// revokes its whole family. Revoke (logout), RevokeFamily and
// RevokeSubject (password change) go through the RevocationList, whose
// failures always refuse the token (ErrRevocationUnavailable, 503).
//
// Passwords: a Hasher runs argon2id hashing and verification through a
// bounded queue (503 with Retry-After when full); a LoginThrottle reserves
// each login attempt atomically in its ThrottleStore before the password
// is checked. BasicBackend uses both, and caches verified credentials.
// The storetest package is the conformance suite for RevocationList and
// ThrottleStore implementations.
package auth
