package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// httpConn is a minimal HTTP/1.1 client of one keep-alive connection,
// used by one load-generating goroutine at a time. The load generator
// shares the machine's cores with the server and PostgreSQL, so its own
// CPU per request lowers what it measures; this client spends about half
// of what net/http's does (no per-request goroutines, header maps or
// pools), much as pgbench, written in C, spends little beside the
// database. It speaks just enough of the protocol for this benchmark: one
// request at a time, responses framed by Content-Length or chunked.
type httpConn struct {
	addr    string // HOST:PORT
	host    string // the Host header
	timeout time.Duration
	conn    net.Conn
	br      *bufio.Reader
	req     []byte
	body    []byte
}

// newHTTPConn returns a client of the server at base (http://HOST:PORT).
func newHTTPConn(base string) (*httpConn, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("not an http://HOST:PORT URL: %q", base)
	}
	return &httpConn{addr: u.Host, host: u.Host, timeout: 30 * time.Second}, nil
}

// close drops the connection; the next request opens another.
func (h *httpConn) close() {
	if h.conn != nil {
		_ = h.conn.Close()
		h.conn, h.br = nil, nil
	}
}

// post sends a POST of body to path with headers (name, value pairs) and
// returns the status and the response body, valid until the next call.
func (h *httpConn) post(path string, body []byte, headers ...string) (int, []byte, error) {
	status, resp, err := h.roundTrip(path, body, headers)
	if err != nil {
		h.close()
	}
	return status, resp, err
}

func (h *httpConn) roundTrip(path string, body []byte, headers []string) (int, []byte, error) {
	if h.conn == nil {
		c, err := net.DialTimeout("tcp", h.addr, 5*time.Second)
		if err != nil {
			return 0, nil, err
		}
		h.conn, h.br = c, bufio.NewReaderSize(c, 16<<10)
	}
	if err := h.conn.SetDeadline(time.Now().Add(h.timeout)); err != nil {
		return 0, nil, err
	}
	r := append(h.req[:0], "POST "...)
	r = append(r, path...)
	r = append(r, " HTTP/1.1\r\nHost: "...)
	r = append(r, h.host...)
	r = append(r, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	r = strconv.AppendInt(r, int64(len(body)), 10)
	r = append(r, "\r\n"...)
	for i := 0; i+1 < len(headers); i += 2 {
		r = append(r, headers[i]...)
		r = append(r, ": "...)
		r = append(r, headers[i+1]...)
		r = append(r, "\r\n"...)
	}
	r = append(r, "\r\n"...)
	r = append(r, body...)
	h.req = r
	if _, err := h.conn.Write(r); err != nil {
		return 0, nil, err
	}
	return h.readResponse()
}

var errMalformed = errors.New("malformed HTTP response")

// readResponse reads one response.
func (h *httpConn) readResponse() (int, []byte, error) {
	line, err := h.line()
	if err != nil {
		return 0, nil, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, nil, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	length, chunked, closing := -1, false, false
	for {
		line, err := h.line()
		if err != nil {
			return 0, nil, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, nil, fmt.Errorf("%w: header %q", errMalformed, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, nil, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	h.body = h.body[:0]
	switch {
	case chunked:
		err = h.readChunked()
	case length >= 0:
		h.body = grow(h.body, length)
		_, err = io.ReadFull(h.br, h.body)
	default:
		// No framing: the body runs to the end of the connection.
		var b bytes.Buffer
		_, err = b.ReadFrom(h.br)
		h.body, closing = b.Bytes(), true
	}
	if err != nil {
		return 0, nil, err
	}
	if closing {
		h.close()
	}
	return status, h.body, nil
}

// readChunked appends a chunked body to h.body.
func (h *httpConn) readChunked() error {
	for {
		line, err := h.line()
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if n == 0 {
			// Trailers, then the blank line.
			for {
				line, err := h.line()
				if err != nil {
					return err
				}
				if len(line) == 0 {
					return nil
				}
			}
		}
		start := len(h.body)
		h.body = grow(h.body, start+int(n))
		if _, err := io.ReadFull(h.br, h.body[start:]); err != nil {
			return err
		}
		if crlf, err := h.line(); err != nil || len(crlf) != 0 {
			return fmt.Errorf("%w: no CRLF after a chunk", errMalformed)
		}
	}
}

// line reads one CRLF-terminated line, without the CRLF; it is valid until
// the next read.
func (h *httpConn) line() ([]byte, error) {
	line, err := h.br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%w: line too long", errMalformed)
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// grow returns b with length n, reusing its array when it is large enough.
func grow(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	nb := make([]byte, n, max(n, 2*cap(b)))
	copy(nb, b)
	return nb
}
