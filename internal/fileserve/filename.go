package fileserve

import (
	"path"
	"strings"
	"unicode/utf8"
)

// MaxFilenameBytes is the longest name most file systems accept
// (NAME_MAX on Linux, 255 UTF-16 units on NTFS).
const MaxFilenameBytes = 255

// SafeFilename reduces a client-supplied file name to a plain base name
// that is safe to create in a directory and to send in
// Content-Disposition; see nexios.SafeFilename for the rules.
func SafeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if HasDrive(name) {
		name = name[2:]
	}
	var b strings.Builder
	b.Grow(len(name))
	for _, c := range name {
		switch {
		case c == utf8.RuneError, c < 0x20, c == 0x7f, 0x80 <= c && c < 0xa0:
			b.WriteByte('_')
		case strings.ContainsRune(`<>:"|?*`, c):
			b.WriteByte('_')
		case c == 0x202e || c == 0x202d || c == 0x2066 || c == 0x2067 || c == 0x2068 || c == 0x2069:
			// Bidirectional overrides make "exe.txt" display as "txt.exe".
			b.WriteByte('_')
		default:
			b.WriteRune(c)
		}
	}
	name = strings.TrimLeft(b.String(), ". ")
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return ""
	}
	if isDeviceName(name) {
		name = "_" + name
	}
	return TruncateFilename(name, MaxFilenameBytes)
}

// isDeviceName reports whether name, before its first dot, is a Windows
// reserved device name, which opens the device instead of a file there.
func isDeviceName(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) == 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		return '0' <= stem[3] && stem[3] <= '9'
	}
	return false
}

// TruncateFilename cuts name to at most limit bytes on a rune boundary,
// keeping a short extension so that the type of the file survives.
func TruncateFilename(name string, limit int) string {
	if len(name) <= limit {
		return name
	}
	ext := path.Ext(name)
	if len(ext) > 16 || len(ext) == len(name) {
		ext = ""
	}
	stem := name[:len(name)-len(ext)]
	cut := max(limit-len(ext), 0)
	for cut > 0 && !utf8.RuneStart(stem[cut]) {
		cut--
	}
	return strings.TrimRight(stem[:cut], ". ") + ext
}

// ContentDisposition formats a Content-Disposition value of the given kind
// ("inline" or "attachment") for filename per RFC 6266: the name reduced
// by SafeFilename, an ASCII filename="..." for every client, and, when the
// name holds anything else, the exact name percent-encoded as an RFC 5987
// filename* parameter, which modern browsers prefer.
func ContentDisposition(kind, filename string) string {
	filename = SafeFilename(filename)
	if filename == "" {
		return kind
	}
	var fallback strings.Builder
	exact := true
	for i := 0; i < len(filename); i++ {
		c := filename[i]
		switch {
		case c >= 0x80:
			// One '_' per rune, not per byte.
			exact = false
			if c >= 0xc0 {
				fallback.WriteByte('_')
			}
		case c == '"' || c == '\\' || c == '%':
			// Quotes and backslashes need escaping that clients handle
			// unevenly, and some decode %XX in filename=: send '_' and the
			// exact name in filename*.
			exact = false
			fallback.WriteByte('_')
		default:
			fallback.WriteByte(c)
		}
	}
	v := kind + `; filename="` + fallback.String() + `"`
	if !exact {
		v += "; filename*=UTF-8''" + encodeRFC5987(filename)
	}
	return v
}

// encodeRFC5987 percent-encodes s except for RFC 5987 attr-chars.
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}
