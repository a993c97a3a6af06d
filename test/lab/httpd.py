#!/usr/bin/python3
# httpd.py ADDR PORT STATUS [LOG] - a tiny HTTP server for the lab scenarios: every GET is
# answered with STATUS and no body (a 3xx with Location: http://portal.example/login, as a
# captive portal does); with LOG, each request's line and Host header are appended there.
# Run it inside a lab namespace; it serves until killed (topo.sh down stops it by PID).
import http.server
import socket
import sys

addr, port, status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
log = sys.argv[4] if len(sys.argv) > 4 else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_GET(self):
        if log:
            with open(log, 'a') as f:
                f.write(f'{self.requestline} Host={self.headers.get("Host")}\n')
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header('Location', 'http://portal.example/login')
        self.send_header('Content-Length', '0')
        self.send_header('Connection', 'close')
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ':' in addr else socket.AF_INET
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # probes close with an RST once they have the status line


Server((addr, port), Handler).serve_forever()
