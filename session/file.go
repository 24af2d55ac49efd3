package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// FileConfig configures a FileStore.
type FileConfig struct {
	// Dir is the directory holding one file per session. It is created
	// (mode 0700) when missing. Required.
	Dir string
	// SweepInterval is how often a background goroutine deletes expired
	// session files. Default 10 minutes; negative: no goroutine (call
	// Sweep yourself, from a cron job for instance).
	SweepInterval time.Duration
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// FileStore keeps each session in a JSON file <id>.json (mode 0600) in a
// directory. Ids are random 256-bit values: a token from a cookie is used
// as a file name only after ValidID accepted it, and every access goes
// through an os.Root, so no cookie can name a file outside the directory.
// Writes go to a temporary file renamed into place, so a reader never sees
// half a session. Call Close to stop the sweeper and release the
// directory.
type FileStore struct {
	root *os.Root
	now  func() time.Time
	// mu makes "update only if it still exists" and Delete atomic within
	// the process (the directory belongs to one instance).
	mu sync.Mutex

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// fileRecord is the content of a session file.
type fileRecord struct {
	Expires time.Time `json:"expires"`
	Record  *Record   `json:"record"`
}

// maxFileSize bounds what Load reads: a session file is small, and a
// corrupted or planted huge file must not exhaust memory.
const maxFileSize = 1 << 20

const (
	fileSuffix = ".json"
	tmpPrefix  = ".tmp-"
)

// NewFileStore opens (creating it if needed) the directory and starts the
// sweeper.
func NewFileStore(cfg FileConfig) (*FileStore, error) {
	if cfg.Dir == "" {
		return nil, errors.New("session: FileConfig.Dir is required")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("session: creating the session directory: %w", err)
	}
	root, err := os.OpenRoot(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("session: opening the session directory: %w", err)
	}
	s := &FileStore{root: root, now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	interval := cfg.SweepInterval
	if interval == 0 {
		interval = 10 * time.Minute
	}
	if interval > 0 {
		s.stop, s.done = make(chan struct{}), make(chan struct{})
		go s.sweepLoop(interval)
	}
	return s, nil
}

func (s *FileStore) sweepLoop(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			_, _ = s.Sweep(context.Background())
		}
	}
}

// Load implements Store.
func (s *FileStore) Load(_ context.Context, token string) (*Record, error) {
	if !ValidID(token) {
		return nil, ErrNotFound
	}
	fr, err := s.read(token + fileSuffix)
	if err != nil {
		return nil, err
	}
	if !s.now().Before(fr.Expires) {
		_ = s.root.Remove(token + fileSuffix)
		return nil, ErrNotFound
	}
	fr.Record.ID = token
	return fr.Record, nil
}

// read reads and decodes a session file. A missing, oversized or corrupted
// file is ErrNotFound: the client just gets a new session.
func (s *FileStore) read(name string) (*fileRecord, error) {
	f, err := s.root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("session: opening a session file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("session: reading a session file: %w", err)
	}
	fr := new(fileRecord)
	if len(data) > maxFileSize || json.Unmarshal(data, fr) != nil || fr.Record == nil {
		return nil, ErrNotFound
	}
	return fr, nil
}

// Save implements Store.
func (s *FileStore) Save(_ context.Context, token string, rec *Record, ttl time.Duration) (string, error) {
	existing := token != ""
	token, err := saveToken(token, ttl)
	if err != nil {
		return "", err
	}
	if existing {
		s.mu.Lock()
		defer s.mu.Unlock()
		// Deleted (a logout, a rotation) or expired meanwhile: never
		// brought back by a request that still held it.
		fr, err := s.read(token + fileSuffix)
		if err != nil {
			return "", err
		}
		if !s.now().Before(fr.Expires) {
			return "", ErrNotFound
		}
	}
	rec.ID = token
	data, err := json.Marshal(fileRecord{Expires: s.now().Add(ttl), Record: rec})
	if err != nil {
		return "", fmt.Errorf("session: encoding session values: %w", err)
	}
	tmp := tmpPrefix + NewID()
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("session: creating a session file: %w", err)
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = s.root.Rename(tmp, token+fileSuffix)
	}
	if werr != nil {
		_ = s.root.Remove(tmp)
		return "", fmt.Errorf("session: writing a session file: %w", werr)
	}
	return token, nil
}

// Delete implements Store.
func (s *FileStore) Delete(_ context.Context, token string) error {
	if !ValidID(token) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.root.Remove(token + fileSuffix)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("session: deleting a session file: %w", err)
	}
	return nil
}

// Sweep deletes expired and unreadable session files, and temporary files
// left by an interrupted write, and returns how many files it deleted.
// Other files in the directory are left alone.
func (s *FileStore) Sweep(ctx context.Context) (int, error) {
	dir, err := s.root.Open(".")
	if err != nil {
		return 0, fmt.Errorf("session: listing the session directory: %w", err)
	}
	defer dir.Close()
	now := s.now()
	n := 0
	for {
		entries, err := dir.ReadDir(256)
		for _, e := range entries {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			if s.expired(e, now) && s.root.Remove(e.Name()) == nil {
				n++
			}
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("session: listing the session directory: %w", err)
		}
	}
}

// expired reports whether a directory entry is a session file past its
// expiry (or unreadable), or a temporary file older than a minute.
func (s *FileStore) expired(e fs.DirEntry, now time.Time) bool {
	name := e.Name()
	if !e.Type().IsRegular() {
		return false
	}
	if strings.HasPrefix(name, tmpPrefix) {
		// Modification times are wall-clock times, whatever Now says.
		info, err := e.Info()
		return err == nil && time.Since(info.ModTime()) > time.Minute
	}
	id, ok := strings.CutSuffix(name, fileSuffix)
	if !ok || !ValidID(id) {
		return false
	}
	fr, err := s.read(name)
	if errors.Is(err, ErrNotFound) {
		return true
	}
	return err == nil && !now.Before(fr.Expires)
}

// Close stops the sweeper and releases the directory. The store must not
// be used afterwards.
func (s *FileStore) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if s.stop != nil {
			close(s.stop)
			<-s.done
		}
		err = s.root.Close()
	})
	return err
}
