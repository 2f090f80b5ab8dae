package collector

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// A scrape's gzip answer is one gzip member made of the cached deflate
// segments of every block spliced together, not a gzip member per block:
// Go's gzip reader reads concatenated members, but curl --compressed and
// Chromium stop after the first one. Each segment is compressed on its own
// and ends with a sync flush, so that segments concatenate into one valid
// deflate stream; the member's CRC-32 is combined from theirs.

// segment is deflate data that ends byte-aligned and not final, with the
// CRC-32 and length of what it inflates to.
type segment struct {
	data []byte
	crc  uint32
	size int64
}

// flateLevel trades a little size for speed: a refresh compresses tens of
// megabytes once, and scrapes only copy the result.
const flateLevel = flate.BestSpeed

var flateWriters = sync.Pool{New: func() any { w, _ := flate.NewWriter(nil, flateLevel); return w }} // the level is valid

// segmenter compresses one segment as it is written.
type segmenter struct {
	buf  bytes.Buffer
	w    *flate.Writer
	crc  uint32
	size int64
}

func newSegmenter() *segmenter {
	s := &segmenter{w: flateWriters.Get().(*flate.Writer)}
	s.w.Reset(&s.buf)
	return s
}

func (s *segmenter) Write(p []byte) (int, error) {
	s.crc = crc32.Update(s.crc, crc32.IEEETable, p)
	s.size += int64(len(p))
	return s.w.Write(p)
}

// segment ends the segment and returns it, copied to fit.
func (s *segmenter) segment() (segment, error) {
	defer flateWriters.Put(s.w)
	if err := s.w.Flush(); err != nil {
		return segment{}, err
	}
	return segment{data: bytes.Clone(s.buf.Bytes()), crc: s.crc, size: s.size}, nil
}

// storedLimit is the size below which a segment is stored, not
// compressed: HELP and TYPE lines and the families of small accounts, where
// a compressor's setup costs more than the bytes it saves.
const storedLimit = 2048

// storedSegment is b as stored (uncompressed) deflate blocks: each a zero
// header byte (not final, type 00, padding: the segment starts
// byte-aligned), the length and its complement, and the bytes.
func storedSegment(b []byte) segment {
	s := segment{crc: crc32.ChecksumIEEE(b), size: int64(len(b))}
	out := make([]byte, 0, len(b)+5*(len(b)/0xffff+1))
	for {
		n := min(len(b), 0xffff)
		out = append(out, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		out = append(out, b[:n]...)
		if b = b[n:]; len(b) == 0 {
			break
		}
	}
	s.data = out
	return s
}

// gzipHeader is a gzip member header without name, time or extra fields
// (what compress/gzip writes by default, OS unknown).
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// finalBlock is an empty final deflate block.
var finalBlock = []byte{3, 0}

// gzipSplicer writes one gzip member from cached segments and live data.
type gzipSplicer struct {
	w       io.Writer
	crc     uint32
	size    int64
	started bool
	live    *flate.Writer
}

func (g *gzipSplicer) start() error {
	if g.started {
		return nil
	}
	g.started = true
	_, err := g.w.Write(gzipHeader)
	return err
}

// cached writes a segment as it is.
func (g *gzipSplicer) cached(s segment) error {
	if err := g.start(); err != nil {
		return err
	}
	g.crc = crc32Combine(g.crc, s.crc, s.size)
	g.size += s.size
	_, err := g.w.Write(s.data)
	return err
}

// plain compresses b now.
func (g *gzipSplicer) plain(b []byte) error {
	if err := g.start(); err != nil {
		return err
	}
	if g.live == nil {
		g.live = flateWriters.Get().(*flate.Writer)
	}
	g.live.Reset(g.w)
	g.crc = crc32.Update(g.crc, crc32.IEEETable, b)
	g.size += int64(len(b))
	if _, err := g.live.Write(b); err != nil {
		return err
	}
	return g.live.Flush()
}

// close ends the member.
func (g *gzipSplicer) close() error {
	if g.live != nil {
		flateWriters.Put(g.live)
		g.live = nil
	}
	if err := g.start(); err != nil {
		return err
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], g.crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(g.size))
	if _, err := g.w.Write(finalBlock); err != nil {
		return err
	}
	_, err := g.w.Write(trailer[:])
	return err
}

// inflate writes what a segment inflates to.
func inflate(w io.Writer, s segment) error {
	r := flate.NewReader(io.MultiReader(bytes.NewReader(s.data), bytes.NewReader(finalBlock)))
	defer r.Close()
	_, err := io.Copy(w, r)
	return err
}

// crc32Combine is the CRC-32 of a+b from crc1 of a, crc2 of b and the
// length of b, as zlib's crc32_combine computes it: crc1 is carried over
// len2 zero bytes by repeated squaring of the CRC's shift operator.
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1 ^ crc2
	}
	var even, odd [32]uint32
	odd[0] = 0xedb88320 // the IEEE polynomial, reflected
	row := uint32(1)
	for n := 1; n < 32; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four zero bits
	for {
		gf2Square(&even, &odd)
		if len2&1 != 0 {
			crc1 = gf2Times(&even, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
		gf2Square(&odd, &even)
		if len2&1 != 0 {
			crc1 = gf2Times(&odd, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[32]uint32) {
	for n := range 32 {
		square[n] = gf2Times(mat, mat[n])
	}
}
