package fileserve

import (
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"sync"
	"time"
)

// UsableModTime reports whether t can be sent as Last-Modified: it is set
// and after the Unix epoch (embed.FS has no times; some build systems
// stamp every file with 1970-01-01, which says nothing about its content).
func UsableModTime(t time.Time) bool { return !t.IsZero() && t.Unix() > 0 }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ETag returns the strong entity tag of a file: from its modification time
// and size when the time is usable, else from a checksum of its content
// (body is read to the end, then rewound). See the package documentation
// for the two forms.
func ETag(modtime time.Time, size int64, body io.ReadSeeker) (string, error) {
	const hexDigits = "0123456789abcdef"
	var buf [48]byte
	b := append(buf[:0], '"')
	if UsableModTime(modtime) {
		b = strconv.AppendInt(b, modtime.UnixNano(), 16)
		b = append(b, '-')
		b = strconv.AppendInt(b, size, 16)
		return string(append(b, '"')), nil
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("fileserve: rewinding to hash: %w", err)
	}
	c, ieee := crc32.New(castagnoli), crc32.NewIEEE()
	if _, err := io.Copy(io.MultiWriter(c, ieee), body); err != nil {
		return "", fmt.Errorf("fileserve: hashing: %w", err)
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("fileserve: rewinding after hashing: %w", err)
	}
	b = strconv.AppendInt(b, size, 16)
	b = append(b, '-')
	sum := uint64(c.Sum32())<<32 | uint64(ieee.Sum32())
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[(sum>>uint(shift))&0xf])
	}
	return string(append(b, '"')), nil
}

// maxCachedTags bounds a TagCache: when full it starts again, so names
// that keep changing (a new fs.Sub per request) cannot grow it for ever.
const maxCachedTags = 4096

// TagCache remembers the content checksums of files without modification
// times, which are read whole to compute. Such files (embed.FS) do not
// change while the process runs, so the key need only name the file
// system, the file and its size. The zero value is ready to use.
type TagCache struct {
	mu   sync.Mutex
	tags map[any]string
}

// ETag is the package's ETag, remembered under key when it needed the
// content. A nil cache or key computes every time.
func (c *TagCache) ETag(key any, modtime time.Time, size int64, body io.ReadSeeker) (string, error) {
	if c == nil || key == nil || UsableModTime(modtime) {
		return ETag(modtime, size, body)
	}
	c.mu.Lock()
	tag, ok := c.tags[key]
	c.mu.Unlock()
	if ok {
		return tag, nil
	}
	tag, err := ETag(modtime, size, body)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.tags == nil || len(c.tags) >= maxCachedTags {
		c.tags = make(map[any]string)
	}
	c.tags[key] = tag
	c.mu.Unlock()
	return tag, nil
}
