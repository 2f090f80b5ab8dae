package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

const (
	// maxSecretFileBytes bounds a secret file: keys are a few dozen bytes,
	// so anything larger is a mistake (or /dev/zero), not a secret.
	maxSecretFileBytes = 64 << 10
	// secretReadTimeout bounds reading one secret file, so that a stalled
	// network mount cannot hold a reload forever.
	secretReadTimeout = 5 * time.Second
)

// readSecretFile reads a secret from a regular file of at most 64 KiB.
// Errors never include the path: a secret pasted where the path belongs
// would otherwise be printed.
func readSecretFile(path string) ([]byte, error) {
	// Stat first: opening a FIFO blocks until a writer appears, and
	// reading /dev/zero never ends.
	st, err := os.Stat(path)
	if err != nil {
		return nil, fileError(err)
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := readRegular(path)
		done <- result{b, err}
	}()
	timer := time.NewTimer(secretReadTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.b, r.err
	case <-timer.C:
		return nil, fmt.Errorf("reading the file took longer than %s", secretReadTimeout)
	}
}

// readRegular opens without blocking (the path may have been replaced by a
// FIFO since the stat) and checks the opened file again.
func readRegular(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fileError(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fileError(err)
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFileBytes+1))
	if err != nil {
		return nil, fileError(err)
	}
	if len(b) > maxSecretFileBytes {
		return nil, errors.New("the file is larger than 64 KiB")
	}
	return b, nil
}

// maxTLSFileBytes bounds a CA bundle or certificate chain (the whole
// Mozilla bundle is about 220 KB).
const maxTLSFileBytes = 4 << 20

// checkTLSFile checks a TLS file before prometheus/common reads it: a
// regular file of at most 4 MiB. Like secret files, errors do not name it.
func checkTLSFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fileError(err)
	}
	if !st.Mode().IsRegular() {
		return regular(st)
	}
	if st.Size() > maxTLSFileBytes {
		return errors.New("the file is larger than 4 MiB")
	}
	return nil
}

func regular(st fs.FileInfo) error {
	m := st.Mode()
	switch {
	case m.IsRegular():
		if st.Size() > maxSecretFileBytes {
			return errors.New("the file is larger than 64 KiB")
		}
		return nil
	case m.IsDir():
		return errors.New("not a regular file (a directory)")
	case m&fs.ModeNamedPipe != 0:
		return errors.New("not a regular file (a named pipe)")
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return errors.New("not a regular file (a device)")
	case m&fs.ModeSocket != 0:
		return errors.New("not a regular file (a socket)")
	default:
		return errors.New("not a regular file")
	}
}

// fileError drops the path from an *fs.PathError and keeps the reason.
func fileError(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		err = pe.Err
	}
	return fmt.Errorf("cannot read the file: %w", err)
}
