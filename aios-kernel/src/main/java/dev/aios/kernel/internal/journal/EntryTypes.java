package dev.aios.kernel.internal.journal;

import dev.aios.kernel.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The stored names of journal entry types, both ways, taken from each type's {@link
 * JournalEntry.StoredAs}. Built once from the sealed interface's permitted types, so a new entry
 * type without a stored name fails at start-up, not when a run first records it.
 */
public final class EntryTypes {
    private static final Map<String, Class<? extends JournalEntry>> BY_NAME = byName();
    private static final ClassValue<String> NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            var stored = type.getAnnotation(JournalEntry.StoredAs.class);
            if (stored == null) {
                throw new IllegalStateException(type.getName() + " has no stored name (@StoredAs)");
            }
            return stored.value();
        }
    };

    private EntryTypes() {}

    /** The name {@code type} is stored under. */
    public static String nameOf(Class<?> type) {
        return NAMES.get(type);
    }

    /** The entry type stored as {@code name}. */
    public static Class<? extends JournalEntry> typeOf(String name) {
        var type = BY_NAME.get(name);
        if (type == null) {
            throw new IllegalStateException("unknown journal entry type '" + name
                    + "'; the journal was written by a newer version of aios, or it was altered");
        }
        return type;
    }

    /** Every stored name. */
    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    /** Reads an entry stored as {@code name} from its JSON. */
    public static JournalEntry read(String name, byte[] json) {
        return Json.read(json, typeOf(name));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Class<? extends JournalEntry>> byName() {
        var map = new LinkedHashMap<String, Class<? extends JournalEntry>>();
        for (var permitted : JournalEntry.class.getPermittedSubclasses()) {
            var stored = permitted.getAnnotation(JournalEntry.StoredAs.class);
            if (stored == null) {
                throw new IllegalStateException(permitted.getName() + " has no stored name (@StoredAs)");
            }
            var taken = map.putIfAbsent(stored.value(), (Class<? extends JournalEntry>) permitted);
            if (taken != null) {
                throw new IllegalStateException("journal entry types " + taken.getName() + " and " + permitted.getName()
                        + " are both stored as '" + stored.value() + "'");
            }
        }
        return Map.copyOf(map);
    }
}
