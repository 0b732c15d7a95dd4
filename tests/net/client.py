"""Host-side client of the net suite: client.py echo HOST PORT CONNS SIZE
sends SIZE random bytes per connection and checks they come back."""
import os
import socket
import sys

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "echo":
    conns, size = int(sys.argv[4]), int(sys.argv[5])
    for i in range(conns):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(20)
        s.connect((host, port))
        data = os.urandom(size)
        got = b""
        # interleave writes and reads so neither side's buffers fill up
        for off in range(0, size, 8192):
            s.sendall(data[off:off + 8192])
            while len(got) < min(off + 8192, size):
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        s.shutdown(socket.SHUT_WR)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        s.close()
        if got != data:
            print("mismatch on connection %d: sent %d, got %d" % (i, len(data), len(got)))
            sys.exit(1)
    print("ok")
