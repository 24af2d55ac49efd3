package devserver

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// change is what a batch of file events asks for.
type change struct {
	rebuild bool     // a Go file, go.mod or an embedded file changed
	reload  bool     // only live files (templates, static) changed
	paths   []string // the files, relative to the root, for the log
}

// watcher reports debounced changes under a directory tree.
type watcher struct {
	root     string
	ignore   map[string]bool // directory names never watched
	live     []string        // directories (relative, slash-separated) reloaded without a build
	debounce time.Duration
	log      *slog.Logger
	fs       *fsnotify.Watcher
}

// defaultIgnore are directory names whose files never trigger a build:
// version control, dependencies and build output.
var defaultIgnore = []string{".git", ".hg", ".svn", ".idea", ".vscode", "vendor", "node_modules", "testdata", "tmp", "bin", "dist"}

func newWatcher(root string, ignore, live []string, debounce time.Duration, log *slog.Logger) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{root: root, ignore: map[string]bool{}, debounce: debounce, log: log, fs: fw}
	for _, d := range append(append([]string(nil), defaultIgnore...), ignore...) {
		w.ignore[d] = true
	}
	for _, l := range live {
		w.live = append(w.live, strings.Trim(filepath.ToSlash(l), "/"))
	}
	if err := w.addTree(root); err != nil {
		_ = fw.Close()
		return nil, err
	}
	return w, nil
}

// skipDir reports whether the directory at rel (relative path) is not
// watched: an ignored name, or hidden.
func (w *watcher) skipDir(name string) bool {
	return w.ignore[name] || (strings.HasPrefix(name, ".") && name != ".") || strings.HasPrefix(name, "_")
}

// addTree watches dir and every directory below it that is not skipped.
func (w *watcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && os.IsNotExist(err) {
				return nil // removed while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && w.skipDir(d.Name()) {
			return filepath.SkipDir
		}
		return w.fs.Add(p)
	})
}

// classify says what a change of the file at rel (relative,
// slash-separated) asks for: "" (nothing), "reload" or "rebuild".
func (w *watcher) classify(rel string) string {
	dir, name := "", rel
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		dir, name = rel[:i], rel[i+1:]
	}
	for _, part := range strings.Split(dir, "/") {
		if part != "" && w.skipDir(part) {
			return ""
		}
	}
	// Editors' swap, backup and lock files, and the database.
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~") ||
		strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".swx") || strings.HasSuffix(name, ".tmp") ||
		name == "4913" || strings.HasSuffix(name, ".db") || strings.HasSuffix(name, ".db-journal") ||
		strings.HasSuffix(name, ".db-wal") || strings.HasSuffix(name, ".db-shm") || strings.HasSuffix(name, ".log") {
		return ""
	}
	if strings.HasSuffix(name, "_test.go") {
		return "" // tests are not in the binary
	}
	for _, l := range w.live {
		if rel == l || strings.HasPrefix(rel, l+"/") {
			return "reload"
		}
	}
	return "rebuild"
}

// run sends a change on out after each burst of events, once debounce
// has passed without another, until ctx ends.
func (w *watcher) run(ctx context.Context, out chan<- change) {
	defer w.fs.Close()
	var pending change
	seen := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.log.Warn("watching files", "error", err)
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() && !w.skipDir(filepath.Base(ev.Name)) {
					if err := w.addTree(ev.Name); err != nil {
						w.log.Warn("watching a new directory", "dir", ev.Name, "error", err)
					}
					continue
				}
			}
			rel, err := filepath.Rel(w.root, ev.Name)
			if err != nil {
				continue
			}
			rel = filepath.ToSlash(rel)
			switch w.classify(rel) {
			case "rebuild":
				pending.rebuild = true
			case "reload":
				pending.reload = true
			default:
				continue
			}
			if !seen[rel] {
				seen[rel] = true
				pending.paths = append(pending.paths, rel)
			}
			timer.Reset(w.debounce)
		case <-timer.C:
			if pending.rebuild {
				pending.reload = false // the restart reloads the pages anyway
			}
			select {
			case out <- pending:
			case <-ctx.Done():
				return
			}
			pending, seen = change{}, map[string]bool{}
		}
	}
}
