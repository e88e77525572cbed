package io.keyhole.tomcat;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.contract.AdapterContract;
import java.util.function.Consumer;

/**
 * The adapter contract for {@link KeyholeValve} on the context's pipeline: it sees every request
 * Tomcat maps to the context, before any servlet is chosen, and routes on Tomcat's decoded URI.
 */
class TomcatValveContractTest extends AdapterContract {

    @Override
    protected Container start(KeyholeConfig config, Consumer<String> application) throws Exception {
        return TomcatFilterContractTest.start(containerDir(), context -> context.getPipeline().addValve(new KeyholeValve(config)),
                application);
    }
}
