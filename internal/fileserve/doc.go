// Package fileserve is the one file-serving core of Nexios: the path
// policy, the way files are opened, the entity tag, conditional requests,
// Range and Content-Disposition. Response.File, FileIn, FileFS and
// ServeContent in the root package and middleware/static are its two doors;
// both call it, so the same file gets the same validators and the same
// refusals whichever door serves it, the way net/http's ServeFile,
// ServeFileFS and FileServer share one serveContent.
//
// # Path policy
//
// Check accepts a slash-separated name from an untrusted source only when
// it is plainly a path below the root: no NUL, no invalid UTF-8, no
// backslash, no percent-encoded separator or dot left after the router's
// decoding (a second encoding), not absolute, no "..", "." or empty
// segment, and no segment starting with a dot (.env, .git) unless dotfiles
// are allowed. Open then refuses symbolic links that leave the root
// (through os.Root on disk, or by resolving each link of an fs.FS that can
// read links, such as os.DirFS) and anything that is not a regular file,
// without opening it for reading: the type is checked with stat first, and
// files on disk are opened with O_NONBLOCK and checked again, so a named
// pipe swapped in between cannot block a thread in open(2).
//
// # Entity tags
//
// A file with a modification time gets the strong tag
// "<modtime in Unix nanoseconds, hex>-<size, hex>", computed without
// reading it. A file without one (embed.FS, fstest.MapFS, a zero or 1970
// time) gets "<size, hex>-<CRC-32C, hex><CRC-32, hex>", a 64-bit checksum
// of its content, computed once per TagCache. The two schemes depend only
// on the file, never on the door or the request.
//
// # Ranges
//
// Range requests follow RFC 9110 §14: single ranges, suffixes, and several
// ranges as multipart/byteranges with an exact Content-Length. A header
// with more than MaxRanges ranges (200 by default, Apache's figure) is
// ignored and the whole file is sent; overlapping and adjacent ranges are
// merged, so the parts never add up to more than the file.
package fileserve
