package io.keyhole.internal.sql;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.util.ConfigurableSocketFactory;

/**
 * Lets mariadb-java-client reach a server over a Unix-domain socket with the JDK's own channels.
 * Not an API: the driver instantiates it by name (connection option {@code socketFactory}) and
 * reads the socket path from the option {@value #PATH_OPTION}.
 *
 * <p>The driver's own {@code localSocket} option needs JNA and ignores read timeouts; this one
 * needs nothing and honours them, so a hung server costs no more than the query timeout.
 */
public final class UnixSocketFactory extends ConfigurableSocketFactory {

    /** Connection option that names the socket file. */
    public static final String PATH_OPTION = "keyholeUnixSocket";

    private Path path;

    /** Called by the driver. */
    public UnixSocketFactory() {
    }

    @Override
    public void setConfiguration(Configuration configuration, String host) {
        String value = configuration.nonMappedOptions().getProperty(PATH_OPTION);
        path = value == null ? null : Path.of(value);
    }

    @Override
    public Socket createSocket() throws IOException {
        if (path == null) {
            throw new IOException("connection option " + PATH_OPTION + " (the server's socket path) is missing");
        }
        return new UnixChannelSocket(path);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected();
    }

    private Socket connected() throws IOException {
        Socket socket = createSocket();
        socket.connect(null, 0);
        return socket;
    }
}
