package main

import (
	"net/http"
	"path/filepath"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
)

// maxUpload bounds an upload: larger bodies are refused with 413 before
// they are read.
const maxUpload = 10 << 20

func (s *server) fileRoutes(api *nexios.Router) {
	r := nexios.NewRouter("/files", nexios.RouterTags("files"))
	api.Mount(r)
	r.Post("/upload", s.upload, auth.Required(), nexios.BodyLimit(maxUpload),
		nexios.WithUploadLimits(nexios.UploadLimits{MaxFiles: 1}),
		nexios.Summary("Upload a file"), nexios.Description("A multipart/form-data body with a \"file\" field, up to 10 MiB."),
		nexios.Returns[Uploaded](http.StatusOK, "The name the file is stored under, and its size"))
	r.Get("/{filename}", s.download, nexios.Summary("Download a file"),
		nexios.ReturnsFile(http.StatusOK, "application/octet-stream", "The file, as an attachment"),
		nexios.Returns[struct{}](http.StatusNotFound, "No such file"))
}

// upload saves the "file" field under a name of its own: the client's
// name made safe, with a random suffix when it is taken. Path tricks in
// the name never reach the disk.
func (s *server) upload(req *nexios.Request, res *nexios.Response) error {
	f, err := req.File("file") // 400 when missing, 413 over the limit
	if err != nil {
		return err
	}
	saved, err := f.SaveTo(s.uploads, nexios.UniqueName())
	if err != nil {
		return err
	}
	return res.JSON(Uploaded{Filename: filepath.Base(saved), Size: f.Size})
}

// download serves a file from the upload directory as an attachment:
// "..", encoded separators, dotfiles and links out of the directory are
// 404, and Range and conditional requests work.
func (s *server) download(req *nexios.Request, res *nexios.Response) error {
	return res.FileIn(s.uploads, req.Path("filename"), nexios.FileOptions{Attachment: true, ContentType: "application/octet-stream"})
}
