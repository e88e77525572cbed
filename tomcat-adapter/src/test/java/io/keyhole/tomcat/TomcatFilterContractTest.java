package io.keyhole.tomcat;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.contract.AdapterContract;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The adapter contract for {@link KeyholeTomcat#mount}: the filter on {@code /files/*}, bytes by
 * sendfile. Tomcat refuses only the encoded slashes itself (its default
 * {@code encodedSolidusHandling=reject}); it merges empty segments and resolves encoded dot
 * segments, so those reach Keyhole as the plain path.
 */
class TomcatFilterContractTest extends AdapterContract {

    @Override
    protected Container start(KeyholeConfig config, Consumer<String> application) throws Exception {
        return start(containerDir(), context -> KeyholeTomcat.mount(context, config), application);
    }

    /** An embedded Tomcat with the context {@code /app}, Keyhole put in by {@code install}, the application on {@code /files/*}. */
    static Container start(Path base, Consumer<Context> install, Consumer<String> application) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("/app", base.toString());
        Tomcat.addServlet(context, "application", application(application));
        context.addServletMapping("/files/*", "application");
        install.accept(context);
        tomcat.start();
        return new Container(connector.getLocalPort(), () -> {
            tomcat.stop();
            tomcat.destroy();
        });
    }
}
