package io.keyhole.internal.s3;

import io.keyhole.KeyholeConfig;

/**
 * The adapter contract on the bucket once more with the decision cache and {@code open-cache-valid}
 * on (small objects kept in memory): what goes over the wire is the same. Each test starts with
 * nothing remembered.
 */
class CachedBucketContractTest extends BucketContractTest {

    private final DecisionCacheOn cache = new DecisionCacheOn();

    @Override
    String bucket() {
        return "contract-cached";
    }

    @Override
    protected KeyholeConfig.Builder configure(KeyholeConfig.Builder config) {
        return cache.on(super.configure(config));
    }

    @Override
    protected void startingTest() {
        cache.expireAll();
    }

    @Override
    protected boolean decisionsCached() {
        return true;
    }
}
