package dev.aios.server;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.Kernel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** A node of a shared PostgreSQL database with its connectors, configured as in aios.yaml. */
record ConnectorsNode(Kernel kernel, ConnectorsExtension connectors) implements AutoCloseable {
    /**
     * Starts a node on {@code url} in {@code data} (the first node's master key shared, see {@link
     * OnePostgres#sameMasterKey}) with the connectors {@code yaml} configures and {@code secrets}.
     */
    static ConnectorsNode open(String url, Path data, String yaml, Map<String, String> secrets) throws IOException {
        OnePostgres.sameMasterKey(data);
        var connectors = new ConnectorsExtension(
                ConnectorSettings.read(new YAMLMapper().readTree(yaml)::get),
                name -> Optional.ofNullable(secrets.get(name)));
        var kernel = Kernel.builder()
                .dataDirectory(data)
                .database(url)
                .extension(connectors)
                .build();
        kernel.start();
        return new ConnectorsNode(kernel, connectors);
    }

    @Override
    public void close() {
        kernel.close();
    }
}
