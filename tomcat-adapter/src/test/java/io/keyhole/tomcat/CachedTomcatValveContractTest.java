package io.keyhole.tomcat;

import io.keyhole.KeyholeConfig;

/** The adapter contract for the valve, sendfile and all, with the decision cache on. */
class CachedTomcatValveContractTest extends TomcatValveContractTest {

    private final DecisionCacheOn cache = new DecisionCacheOn();

    @Override
    protected KeyholeConfig.Builder configure(KeyholeConfig.Builder config) {
        return cache.on(super.configure(config));
    }

    @Override
    protected void startingTest() {
        cache.expireAll();
    }
}
