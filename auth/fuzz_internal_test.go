package auth

import "testing"

// Parsing a stored hash never panics and never accepts parameters that
// would make verification take gigabytes or hours.
func FuzzParseArgon2(f *testing.F) {
	good, _ := HashPasswordWith("pw", Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	f.Add(good)
	f.Add("$argon2id$v=19$m=4294967295,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2id$v=19$m=64,t=1,p=256$$")
	f.Add("$argon2id$$$$$")
	f.Fuzz(func(t *testing.T, hash string) {
		p, salt, key, err := parseArgon2(hash)
		if err != nil {
			return
		}
		if p.check() != nil || p.Memory > 1<<20 || p.Iterations > 64 || len(salt) < 8 || len(key) < 16 {
			t.Fatalf("accepted %q as %+v", hash, p)
		}
	})
}
