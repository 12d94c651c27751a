package io.functionsbridge.registry;

import io.functionsbridge.BeanLifecycle;
import io.functionsbridge.domain.RegistryException;
import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live changes: an edit of {@code functions.yaml} or {@code auto-messages.yaml} (or of the
 * {@code index.js} or {@code config.json} of a javascript function in force at the start) is put in force
 * without a restart, once the file has been quiet for {@code debounceMs} (editors write a file in
 * bursts). A file the bridge refuses leaves the previous version in force: one ERROR line names the
 * problem, {@code functions_bridge_reload_failures_total{file}} counts it, and the bridge's health
 * check shows it. Events already enriched keep the versions they started with.
 */
public final class LiveReload implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(LiveReload.class);

    /** A refused edit: which file, why, and when. */
    public record Refusal(String file, String problem, Instant at) {
    }

    private CamelContext camelContext;
    private boolean enabled = true;
    private long debounceMs = 500;
    private FunctionRegistry functions;
    private AutoMessages autoMessages;
    private final List<Consumer<Refusal>> refusalListeners = new CopyOnWriteArrayList<>();
    // by the file's absolute path: what loads it
    private final Map<Path, Runnable> loaders = new LinkedHashMap<>();
    private final Map<Path, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    private final List<FileWatcherResourceReloadStrategy> watchers = new ArrayList<>();
    private ScheduledExecutorService scheduler;
    private volatile Refusal lastRefusal;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** Whether edits are watched for (bridge.reload.enabled). */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** How long a file must be quiet after an edit before it is read (bridge.reload.debounce-ms). */
    public void setDebounceMs(long debounceMs) {
        this.debounceMs = debounceMs;
    }

    public void setFunctions(FunctionRegistry functions) {
        this.functions = functions;
    }

    public void setAutoMessages(AutoMessages autoMessages) {
        this.autoMessages = autoMessages;
    }

    /** Tells the listener of every edit refused from now on (the metrics count them). */
    public void onRefused(Consumer<Refusal> listener) {
        refusalListeners.add(listener);
    }

    /** The last edit refused since the start, or {@code null}. */
    public Refusal lastRefusal() {
        return lastRefusal;
    }

    /** Watches the folders of the two files once the Camel context starts. */
    public void start() throws Exception {
        BeanLifecycle.startWithContext(camelContext, this, this::watch);
    }

    private void watch() throws Exception {
        if (!enabled) {
            LOG.info("live changes of {} and {} are off (bridge.reload.enabled=false)", functions.getFile(), autoMessages.getFile());
            return;
        }
        for (Path registry : functions.files()) {
            loaders.put(absolute(registry.toString()), functions::load);
        }
        int registryFiles = loaders.size();
        loaders.put(absolute(autoMessages.getFile()), autoMessages::load);
        // the javascript functions' lambdas in force at the start: an edit of one reloads the registry
        for (Path lambda : functions.lambdaFolders()) {
            loaders.put(absolute(lambda.resolve("index.js").toString()), functions::load);
            loaders.put(absolute(lambda.resolve("config.json").toString()), functions::load);
        }
        scheduler = camelContext.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "live-reload");
        for (Path folder : loaders.keySet().stream().map(Path::getParent).distinct().toList()) {
            FileWatcherResourceReloadStrategy watcher = new FolderWatcher(folder.toString());
            watcher.setCamelContext(camelContext);
            watcher.setFileFilter(file -> loaders.containsKey(absolute(file.getPath())));
            watcher.setResourceReload((name, resource) -> edited(absolute(name)));
            // a service of the context: stopped with it
            camelContext.addService(watcher, true, true);
            watchers.add(watcher);
        }
        int lambdaFiles = loaders.size() - registryFiles - 1;
        LOG.info("live changes: edits of {} and {}{} apply without a restart", functions.getFile(), absolute(autoMessages.getFile()),
                lambdaFiles == 0 ? "" : " (and of the " + lambdaFiles + " index.js and config.json files of its javascript functions)");
    }

    public void stop() {
        watchers.forEach(ServiceHelper::stopService);
        watchers.clear();
        pending.values().forEach(future -> future.cancel(false));
        if (scheduler != null) {
            camelContext.getExecutorServiceManager().shutdownNow(scheduler);
        }
    }

    /** An edit: (re)starts the file's quiet period, after which it is read. */
    private void edited(Path file) {
        pending.compute(file, (path, previous) -> {
            if (previous != null) {
                previous.cancel(false);
            }
            return scheduler.schedule(() -> reload(path), debounceMs, TimeUnit.MILLISECONDS);
        });
    }

    /** Reads the file and puts it in force, or keeps the version in force when it is refused. */
    void reload(Path file) {
        pending.remove(file);
        String name = file.getFileName().toString();
        try {
            loaders.get(file).run();
            LOG.info("{} changed: the new version is in force", file);
        } catch (RegistryException e) {
            Refusal refusal = new Refusal(name, e.getMessage(), Instant.now());
            lastRefusal = refusal;
            refusalListeners.forEach(listener -> listener.accept(refusal));
            LOG.error("{} refused, the previous version stays in force: {}", file, e.getMessage());
        }
    }

    /** Camel's file watcher on one folder, quiet at start (one line says what is watched). */
    private static final class FolderWatcher extends FileWatcherResourceReloadStrategy {

        FolderWatcher(String folder) {
            super(folder);
        }

        @Override
        protected String startupMessage(File dir) {
            return null;
        }
    }

    private static Path absolute(String file) {
        return Path.of(file).toAbsolutePath().normalize();
    }
}
