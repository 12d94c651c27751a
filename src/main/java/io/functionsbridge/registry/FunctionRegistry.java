package io.functionsbridge.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.EventCatalog;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.FunctionsEvent;
import io.functionsbridge.domain.LambdaCode;
import io.functionsbridge.domain.RegistryException;
import io.functionsbridge.javascript.JavaScriptFunctions;
import io.functionsbridge.javascript.LambdaSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.camel.ExchangeProperty;

/**
 * The deployed functions, loaded from {@code functions.yaml} and validated as a whole at start
 * (docs/contract.md): an unknown event, a repeated id, a non-http(s) url or more deployed functions on an
 * event than its limit refuse the whole file.
 */
public final class FunctionRegistry {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final EventCatalog CATALOG = new EventCatalog();

    /** Where the javascript functions' settings.json is, unless bridge.functions.settings-file says otherwise. */
    public static final String DEFAULT_SETTINGS_FILE = "functions/settings.json";

    private String file = "functions.yaml";
    private String settingsFile = DEFAULT_SETTINGS_FILE;
    private volatile Functions loaded;
    private AutoMessages autoMessages = new AutoMessages();
    private JavaScriptFunctions javascript;
    private final List<Consumer<List<FunctionDefinition>>> listeners = new CopyOnWriteArrayList<>();

    /** The functions, and the deployed ones by event in the file's order: swapped as a whole. */
    private record Functions(List<FunctionDefinition> all, Map<String, List<FunctionDefinition>> deployedByEvent) {
    }

    /** An empty registry, to {@link #load} from its {@link #setFile file}. */
    public FunctionRegistry() {
        this(List.of());
    }

    public FunctionRegistry(List<FunctionDefinition> functions) {
        use(functions);
    }

    private void use(List<FunctionDefinition> definitions) {
        Map<String, List<FunctionDefinition>> byEvent = new HashMap<>();
        for (FunctionDefinition function : definitions) {
            if (function.deployed() && function.hasEvent()) {
                byEvent.computeIfAbsent(function.event(), event -> new ArrayList<>()).add(function);
            }
        }
        loaded = new Functions(List.copyOf(definitions), byEvent);
        listeners.forEach(listener -> listener.accept(loaded.all()));
    }

    /** Called with the functions now in force, at once and after every change of the file. */
    public void onChange(Consumer<List<FunctionDefinition>> listener) {
        listeners.add(listener);
        listener.accept(loaded.all());
    }

    /** The automatic messages an event is {@link #enrich enriched} with. */
    public void setAutoMessages(AutoMessages autoMessages) {
        this.autoMessages = autoMessages;
    }

    /**
     * What runs the javascript functions: a registry is accepted only once their lambdas load (a
     * load is a run, under a run's limits), and the versions in force are kept warm there.
     */
    public void setJavascript(JavaScriptFunctions javascript) {
        this.javascript = javascript;
    }

    /** The registry file (bridge.functions.file), relative to the working folder or absolute. */
    public void setFile(String file) {
        this.file = file;
    }

    public String getFile() {
        return file;
    }

    /** The javascript functions' secrets and whitelist (bridge.functions.settings-file). */
    public void setSettingsFile(String settingsFile) {
        this.settingsFile = settingsFile;
    }

    public String getSettingsFile() {
        return settingsFile;
    }

    /** The folders of the javascript functions in force: their edits are live changes too. */
    public List<Path> lambdaFolders() {
        return loaded.all().stream().filter(FunctionDefinition::isJavaScript).map(function -> function.lambda().folder()).distinct().toList();
    }

    /**
     * The registry's files: {@code bridge.functions.file} names one, or several separated by commas
     * (the main job's: {@code functions.yaml,functions/templates.yaml}), read as one registry.
     */
    public List<Path> files() {
        return files(file);
    }

    /** The files a {@code bridge.functions.file} value names. */
    public static List<Path> files(String value) {
        return Stream.of(value.split(",")).map(String::strip).filter(name -> !name.isEmpty()).map(Path::of).toList();
    }

    /**
     * Loads and validates the registry's files, and puts them in force as a whole; throws
     * {@link RegistryException} naming every problem found, and then the functions in force stay.
     * At start, the refusal is logged as the line that says why the bridge did not start.
     */
    public void load() {
        try {
            List<FunctionDefinition> functions = read(files(), CATALOG, Path.of(settingsFile)).functions();
            if (javascript != null) {
                List<String> problems = new ArrayList<>();
                javascript.prepare(functions).forEach((id, why) -> problems.add("function " + id + ": " + why));
                if (!problems.isEmpty()) {
                    // what the refused version loaded is let go: the versions in force stay, and only they
                    javascript.inForce(loaded.all());
                    throw new RegistryException("function registry " + String.join(", ", files().stream().map(Path::toString).toList())
                            + " refused: " + String.join("; ", problems));
                }
            }
            use(functions);
            if (javascript != null) {
                javascript.inForce(functions);
            }
        } catch (RegistryException refused) {
            throw RefusalLine.logged(refused);
        }
    }

    /** Reads and validates a registry file; throws {@link RegistryException} naming every problem found. */
    public static FunctionRegistry read(Path file) {
        return read(List.of(file), CATALOG, Path.of(DEFAULT_SETTINGS_FILE));
    }

    /**
     * Reads and validates the registry's files as one registry (an id once across them, the events'
     * limits across them), the javascript functions' settings (secrets, whitelist) from that file.
     */
    public static FunctionRegistry read(List<Path> files, Path settingsFile) {
        return read(files, CATALOG, settingsFile);
    }

    public static FunctionRegistry read(List<Path> files, EventCatalog catalog, Path settingsFile) {
        Map<String, JsonNode> roots = new LinkedHashMap<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new RegistryException("function registry " + file.toAbsolutePath() + " not found (bridge.functions.file)");
            }
            try {
                JsonNode root = YAML.readTree(file.toFile());
                roots.put(file.toString(), root == null ? YAML.nullNode() : root);
            } catch (IOException e) {
                throw new RegistryException("function registry " + file + " is not valid YAML: " + firstLine(e.getMessage()));
            }
        }
        return parse(roots, catalog, settingsFile);
    }

    static FunctionRegistry parse(JsonNode root, EventCatalog catalog, String source) {
        return parse(Map.of(source, root == null ? YAML.nullNode() : root), catalog, Path.of(DEFAULT_SETTINGS_FILE));
    }

    /** The functions of the files' roots (by file name), validated together. */
    static FunctionRegistry parse(Map<String, JsonNode> roots, EventCatalog catalog, Path settingsFile) {
        // the whitelist of settings.json: read once, when a javascript function needs it
        Supplier<List<String>> whitelist = new Supplier<>() {
            private List<String> read;

            @Override
            public List<String> get() {
                if (read == null) {
                    read = LambdaSettings.whitelist(settingsFile);
                }
                return read;
            }
        };
        String source = String.join(", ", roots.keySet());
        List<String> problems = new ArrayList<>();
        List<FunctionDefinition> functions = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Map.Entry<String, JsonNode> root : roots.entrySet()) {
            JsonNode list = root.getValue().get("functions");
            if (list == null || list.isNull()) {
                continue;
            }
            if (!list.isArray()) {
                throw new RegistryException("function registry " + root.getKey() + ": 'functions' must be a list");
            }
            String where = roots.size() == 1 ? "" : root.getKey() + " ";
            for (int i = 0; i < list.size(); i++) {
                FunctionDefinition function = readFunction(list.get(i), where + "functions[" + i + "]", catalog, whitelist, settingsFile,
                        problems);
                if (function == null) {
                    continue;
                }
                if (!ids.add(function.id())) {
                    problems.add("function id " + function.id() + " is repeated");
                }
                functions.add(function);
            }
        }
        checkLimits(functions, catalog, problems);
        if (!problems.isEmpty()) {
            throw new RegistryException("function registry " + source + " refused: " + String.join("; ", problems));
        }
        return new FunctionRegistry(functions);
    }

    private static FunctionDefinition readFunction(JsonNode node, String where, EventCatalog catalog, Supplier<List<String>> whitelist,
                                                   Path settingsFile, List<String> problems) {
        if (node == null || !node.isObject()) {
            problems.add(where + " is not a mapping");
            return null;
        }
        String id = text(node, "id");
        if (id == null || id.isBlank()) {
            problems.add(where + " has no id");
            return null;
        }
        String label = "function " + id;
        // no event: invoked through the gateway only, by its id
        String event = text(node, "event");
        Optional<FunctionsEvent> known = event == null ? Optional.empty() : catalog.find(event);
        if (event != null && known.isEmpty()) {
            problems.add(label + " names unknown event '" + event + "'");
        }
        String runtime = text(node, "runtime") == null ? FunctionDefinition.HTTP : text(node, "runtime");
        String url = text(node, "url");
        LambdaCode lambda = null;
        if (FunctionDefinition.JAVASCRIPT.equals(runtime)) {
            lambda = readLambda(node, label, whitelist, settingsFile, problems);
        } else if (!FunctionDefinition.HTTP.equals(runtime)) {
            problems.add(label + " has runtime '" + runtime + "' (http | javascript)");
        } else if (!isHttpUrl(url)) {
            problems.add(label + " has url '" + withoutCredentials(url) + "', which is not an http(s) url");
        }
        String authorization = null;
        if (isHttpUrl(url) && URI.create(url).getRawUserInfo() != null) {
            URI uri = URI.create(url);
            authorization = "Basic " + Base64.getEncoder().encodeToString(
                    URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
            url = withoutCredentials(url);
        }
        String state = text(node, "state");
        if (!"deployed".equals(state) && !"undeployed".equals(state)) {
            problems.add(label + " has state '" + state + "' (deployed | undeployed)");
        }
        List<String> skills = new ArrayList<>();
        JsonNode skillsNode = node.get("skills");
        if (skillsNode != null && !skillsNode.isNull()) {
            if (!skillsNode.isArray()) {
                problems.add(label + ": skills must be a list");
            } else {
                skillsNode.forEach(skill -> skills.add(skill.asText()));
            }
        }
        if (!skills.isEmpty() && known.isPresent() && !known.get().skillsApply()) {
            problems.add(label + ": skills do not apply to event " + event);
        }
        Integer timeoutMs = null;
        JsonNode timeout = node.get("timeoutMs");
        if (timeout != null && !timeout.isNull()) {
            if (!timeout.canConvertToInt() || timeout.asInt() <= 0 || !timeout.isIntegralNumber()) {
                problems.add(label + ": timeoutMs must be a positive whole number of milliseconds");
            } else {
                timeoutMs = timeout.asInt();
            }
        }
        String auth = text(node, "auth");
        if (auth != null && !FunctionDefinition.NO_AUTH.equals(auth)) {
            problems.add(label + " has auth '" + auth + "' (none, or leave it out for the bridge's OAuth2 token)");
        }
        return new FunctionDefinition(id, text(node, "name"), event, lambda == null ? url : null, "deployed".equals(state), skills,
                timeoutMs, authorization, auth, lambda);
    }

    /**
     * A javascript function's lambda: its {@code source} folder, relative to the working folder, read
     * once (whether it loads is for {@link JavaScriptFunctions#prepare} to say); a url beside it is
     * refused.
     */
    private static LambdaCode readLambda(JsonNode node, String label, Supplier<List<String>> whitelist, Path settingsFile,
                                         List<String> problems) {
        if (text(node, "url") != null) {
            problems.add(label + " has runtime javascript and a url: a javascript function has a source, not a url");
            return null;
        }
        String source = text(node, "source");
        if (source == null || source.isBlank()) {
            problems.add(label + " has runtime javascript and no source folder");
            return null;
        }
        try {
            return LambdaFolder.read(Path.of(source), whitelist.get(), settingsFile);
        } catch (IllegalArgumentException refused) {
            problems.add(label + ": " + refused.getMessage());
            return null;
        }
    }

    private static void checkLimits(List<FunctionDefinition> functions, EventCatalog catalog, List<String> problems) {
        Map<String, List<String>> deployedByEvent = new LinkedHashMap<>();
        for (FunctionDefinition function : functions) {
            if (function.deployed() && function.event() != null) {
                deployedByEvent.computeIfAbsent(function.event(), e -> new ArrayList<>()).add(function.id());
            }
        }
        deployedByEvent.forEach((event, ids) -> catalog.find(event).ifPresent(known -> {
            if (ids.size() > known.lambdaLimit()) {
                problems.add("event " + event + " has " + ids.size() + " deployed functions, more than its limit of "
                        + known.lambdaLimit() + ": " + String.join(", ", ids));
            }
        }));
    }

    /** The url with any {@code user:password@} taken out, fit for messages and endpoint uris. */
    static String withoutCredentials(String url) {
        if (url == null) {
            return null;
        }
        return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@?#]*@", "$1");
    }

    private static boolean isHttpUrl(String url) {
        if (url == null) {
            return false;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The deployed function on that event serving that skill, if any (the first, in the file's order). */
    public Optional<FunctionDefinition> find(String event, String skillId) {
        for (FunctionDefinition function : loaded.deployedByEvent().getOrDefault(event, List.of())) {
            if (function.servesSkill(skillId)) {
                return Optional.of(function);
            }
        }
        return Optional.empty();
    }

    /** Every deployed function on that event serving that skill, in the file's order. */
    public List<FunctionDefinition> findAll(String event, String skillId) {
        List<FunctionDefinition> serving = new ArrayList<>();
        for (FunctionDefinition function : loaded.deployedByEvent().getOrDefault(event, List.of())) {
            if (function.servesSkill(skillId)) {
                serving.add(function);
            }
        }
        return serving;
    }

    /** The function with that id (lambda UUID), deployed or not. */
    public Optional<FunctionDefinition> byId(String id) {
        for (FunctionDefinition function : loaded.all()) {
            if (function.id().equals(id)) {
                return Optional.of(function);
            }
        }
        return Optional.empty();
    }

    /** The Functions event of that id, if the bridge knows it. */
    public Optional<FunctionsEvent> event(String id) {
        return id == null ? Optional.empty() : CATALOG.find(id);
    }

    /**
     * Sets the Functions event the routes mapped the event to and gives it one invocation per
     * function deployed on that event for the conversation's skill (the registry in force now):
     * the body of the routes' split, which calls them all at once.
     */
    public List<BridgeEvent> enrichAll(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event,
            @ExchangeProperty("functionsEvent") String functionsEvent) {
        use(event, functionsEvent);
        List<BridgeEvent> invocations = new ArrayList<>();
        for (FunctionDefinition function : findAll(functionsEvent, event.record().skillId())) {
            invocations.add(event.invocationOf(function));
        }
        event.setInvocations(invocations);
        return invocations;
    }

    private static void use(BridgeEvent event, String functionsEvent) {
        event.invocation().setFunctionsEvent(functionsEvent);
        event.invocation().setRetried(CATALOG.find(functionsEvent).map(FunctionsEvent::retried).orElse(true));
    }

    /**
     * Sets the Functions event the routes mapped the event to, the function to call for it, if one
     * is deployed for the conversation's skill, and the automatic message of its cbotEventType:
     * the versions in force now, which the event keeps to its end. Returns whether there is a function.
     */
    public boolean enrich(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeProperty("functionsEvent") String functionsEvent) {
        use(event, functionsEvent);
        event.invocation().setFunction(find(functionsEvent, event.record().skillId()).orElse(null));
        event.invocation().setAutoMessage(autoMessages.find(event.record().eventType()).orElse(null));
        return event.invocation().hasFunction();
    }

    public List<FunctionDefinition> functions() {
        return loaded.all();
    }
}
