package org.autopilot.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 keep-alive connection for load generation: a blocking socket, one request at a
 * time, the answer read in full (Content-Length or chunked). Much cheaper per request than a
 * general client, so the load generator takes little of the CPU it shares with the system
 * under test (like {@code wrk}). Reconnects when the server closes.
 */
final class KeepAliveConnection implements AutoCloseable {
  private final String host;
  private final int port;
  private final byte[] hostHeader;
  private final ByteArrayOutputStream request = new ByteArrayOutputStream(2048);
  private Socket socket;
  private OutputStream out;
  private InputStream in;
  private boolean closeAfter;
  /** The last answer's body (for messages). */
  byte[] lastBody = new byte[0];

  KeepAliveConnection(String host, int port) {
    this.host = host;
    this.port = port;
    this.hostHeader = ("Host: " + host + ":" + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** POSTs {@code body} with an {@code Authorization} header; the status code. */
  int post(String path, String authorization, byte[] body) throws IOException {
    if (socket == null || closeAfter) {
      connect();
    }
    request.reset();
    request.writeBytes(("POST " + path + " HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII));
    request.writeBytes(hostHeader);
    request.writeBytes(("Authorization: " + authorization + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    request.writeBytes(body);
    try {
      request.writeTo(out);
      out.flush();
      return readAnswer();
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private void connect() throws IOException {
    close();
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 5000);
    socket.setSoTimeout(60_000);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 8192);
    closeAfter = false;
  }

  private int readAnswer() throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
      throw new IOException("not an HTTP answer: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    String h;
    while (!(h = line()).isEmpty()) {
      int colon = h.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = h.substring(0, colon).trim();
      String value = h.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
        chunked = true;
      } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
        closeAfter = true;
      }
    }
    if (chunked) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(line().split(";")[0].trim(), 16);
        if (size == 0) {
          line();
          break;
        }
        b.writeBytes(in.readNBytes(size));
        line();
      }
      lastBody = b.toByteArray();
    } else if (length >= 0) {
      lastBody = in.readNBytes((int) length);
    } else {
      lastBody = in.readAllBytes();
      closeAfter = true;
    }
    return code;
  }

  private String line() throws IOException {
    StringBuilder s = new StringBuilder(64);
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = s.length();
        return n > 0 && s.charAt(n - 1) == '\r' ? s.substring(0, n - 1) : s.toString();
      }
      s.append((char) c);
    }
    throw new IOException("connection closed by the server");
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      socket = null;
    }
  }
}
