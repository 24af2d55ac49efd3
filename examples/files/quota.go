package main

import (
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"sync"

	"github.com/nexios-go/nexios"
)

// quota bounds what the upload directory holds, in bytes and in files
// (empty files cost no bytes but still an inode each). It counts what was
// there at start-up and what this process saves; files removed by hand are
// only noticed at the next start.
type quota struct {
	mu              sync.Mutex
	bytes, maxBytes int64
	files, maxFiles int
}

// openQuota measures dir.
func openQuota(dir string, maxBytes int64, maxFiles int) (*quota, error) {
	q := &quota{maxBytes: maxBytes, maxFiles: maxFiles}
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		q.bytes += fi.Size()
		q.files++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("files: measuring %s: %w", dir, err)
	}
	return q, nil
}

// reserve claims room for files totalling n bytes, or answers 507
// Insufficient Storage.
func (q *quota) reserve(n int64, files int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.bytes+n > q.maxBytes || q.files+files > q.maxFiles {
		return nexios.NewHTTPError(http.StatusInsufficientStorage, "the upload directory is full")
	}
	q.bytes += n
	q.files += files
	return nil
}

// release gives back room claimed for a file that was not saved.
func (q *quota) release(n int64, files int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.bytes -= n
	q.files -= files
}
