package io.keyhole.internal.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Socket} over a JDK Unix-domain {@link SocketChannel}, for a driver that only speaks
 * {@code java.net.Socket}. The channel is non-blocking and every wait goes through a selector,
 * so {@link #setSoTimeout} bounds reads (and writes) as it does for TCP; no thread is started.
 * Meant for one thread at a time, plus {@link #close()} from any thread.
 */
final class UnixChannelSocket extends Socket {

    private final Path path;
    private volatile SocketChannel channel;
    private Selector readSelector;
    private Selector writeSelector;
    private volatile int soTimeout;
    private volatile boolean closed;
    private boolean inputShutdown;
    private boolean outputShutdown;
    private final InputStream in = new In();
    private final OutputStream out = new Out();

    UnixChannelSocket(Path path) throws SocketException {
        super((SocketImpl) null);
        this.path = path;
    }

    /** Connects to the socket file; the address is ignored (the driver passes host and port). */
    @Override
    public void connect(SocketAddress ignored, int timeoutMillis) throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (channel != null) {
            throw new SocketException("already connected to " + path);
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector reads = null;
        Selector writes = null;
        try {
            ch.configureBlocking(false);
            reads = Selector.open();
            writes = Selector.open();
            ch.register(reads, SelectionKey.OP_READ);
            SelectionKey key = ch.register(writes, SelectionKey.OP_CONNECT);
            if (!ch.connect(UnixDomainSocketAddress.of(path))) {
                long deadline = deadline(timeoutMillis);
                while (!ch.finishConnect()) {
                    await(writes, deadline, "connecting to " + path, timeoutMillis);
                }
            }
            key.interestOps(SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            closeQuietly(reads);
            closeQuietly(writes);
            ch.close();
            if (e instanceof SocketTimeoutException timeout) {
                throw timeout;
            }
            throw withPath(e);
        }
        readSelector = reads;
        writeSelector = writes;
        channel = ch;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    private IOException withPath(Exception e) {
        IOException io = new SocketException("cannot connect to " + path + ": " + e);
        io.initCause(e);
        return io;
    }

    private static long deadline(int timeoutMillis) {
        return timeoutMillis <= 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Waits until the selector reports readiness or the deadline (0: none) passes. */
    private void await(Selector selector, long deadline, String what, int timeoutMillis) throws IOException {
        try {
            if (deadline == 0) {
                selector.select();
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException(what + " timed out after " + timeoutMillis + " ms");
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new SocketException("Socket closed");
        }
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    private SocketChannel open() throws SocketException {
        SocketChannel ch = channel;
        if (closed || ch == null) {
            throw new SocketException(closed ? "Socket closed" : "Socket is not connected");
        }
        return ch;
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            SocketChannel ch = open();
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            int timeout = soTimeout;
            long deadline = deadline(timeout);
            while (true) {
                int n = ch.read(buffer);
                if (n != 0) {
                    return n;
                }
                await(readSelector, deadline, "Read", timeout);
            }
        }

        @Override
        public int available() throws IOException {
            return 0;
        }

        @Override
        public void close() throws IOException {
            UnixChannelSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            SocketChannel ch = open();
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            int timeout = soTimeout;
            long deadline = deadline(timeout);
            while (buffer.hasRemaining()) {
                if (ch.write(buffer) == 0) {
                    await(writeSelector, deadline, "Write", timeout);
                }
            }
        }

        @Override
        public void close() throws IOException {
            UnixChannelSocket.this.close();
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        open();
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        open();
        return out;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // Closing the selectors wakes a thread blocked in a read and releases the descriptor.
        closeQuietly(readSelector);
        closeQuietly(writeSelector);
        SocketChannel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    private static void closeQuietly(Selector selector) {
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException e) {
                // Nothing waits on it any more; the channel's own close reports real trouble.
            }
        }
    }

    @Override
    public boolean isConnected() {
        return channel != null;
    }

    @Override
    public boolean isBound() {
        return channel != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void shutdownInput() throws IOException {
        open().shutdownInput();
        inputShutdown = true;
    }

    @Override
    public void shutdownOutput() throws IOException {
        open().shutdownOutput();
        outputShutdown = true;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    // TCP options mean nothing on a Unix socket; the driver sets them anyway.

    @Override
    public void setTcpNoDelay(boolean on) {
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public void setKeepAlive(boolean on) {
    }

    @Override
    public boolean getKeepAlive() {
        return false;
    }

    @Override
    public void setSoLinger(boolean on, int linger) {
    }

    @Override
    public int getSoLinger() {
        return -1;
    }

    @Override
    public void setReceiveBufferSize(int size) {
    }

    @Override
    public void setSendBufferSize(int size) {
    }

    @Override
    public void bind(SocketAddress local) {
    }

    @Override
    public InetAddress getInetAddress() {
        return null;
    }

    @Override
    public InetAddress getLocalAddress() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public int getPort() {
        return 0;
    }

    @Override
    public int getLocalPort() {
        return -1;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return channel == null ? null : UnixDomainSocketAddress.of(path);
    }

    @Override
    public String toString() {
        return "UnixChannelSocket[" + path + (closed ? ", closed" : "") + "]";
    }
}
