package io.functionsbridge.domain;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A JavaScript lambda as the platform's CLI lays it out ({@code lpf init}), as the registry read it:
 * its folder's {@code index.js} and {@code config.json} ({@code environmentVariables}, and the
 * {@code input} a local invoke runs), with the HTTP whitelist of the functions' {@code settings.json}
 * and where that file is (its secrets are read and updated there, when a run asks). Read once, when
 * the registry is loaded: an event keeps the version it started with.
 *
 * <p>A version is its content: two readings of an unchanged folder and settings are equal, so a
 * live change that leaves them unchanged keeps the lambda's warm instances.
 *
 * @param name         the folder's name, for the logger {@code io.functionsbridge.functions.<name>}
 * @param folder       where it was read from
 * @param source       {@code index.js}
 * @param module       whether it is an ES module (V2: {@code import}/{@code export}), else a script (V1)
 * @param env          {@code process.env}
 * @param input        the invocation {@code config.json} gives for a local invoke, or {@code null}
 * @param whitelist    the hosts its HTTP requests may go to ({@code example.com}, {@code *.example.com})
 * @param settingsFile the functions' {@code settings.json}, where its secrets are
 */
public record LambdaCode(String name, Path folder, String source, boolean module, Map<String, String> env, JsonNode input,
                         List<String> whitelist, Path settingsFile) {

    /** The platform's limit on a lambda's source. */
    public static final int MAX_SOURCE_CHARS = 100_000;

    public LambdaCode {
        env = Map.copyOf(env);
        whitelist = List.copyOf(whitelist);
    }

    @Override
    public String toString() {
        return "LambdaCode[" + folder + (module ? ", module" : ", script") + "]";
    }
}
