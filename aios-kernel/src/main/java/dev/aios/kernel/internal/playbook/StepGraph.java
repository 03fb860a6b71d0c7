package dev.aios.kernel.internal.playbook;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The steps of a playbook as a graph: which steps a run can reach, and which loops have no durable
 * pause ({@code wait} or {@code await}) in them and would spin forever.
 *
 * @param ids step ids in the order written; the first is where runs start
 * @param edges step id to the step ids it can go to (without {@code end})
 * @param pauses ids of the wait and await steps
 */
record StepGraph(List<String> ids, Map<String, List<String>> edges, Set<String> pauses) {

    /** The steps a run starting at the first step can reach. */
    Set<String> reachable() {
        var seen = new LinkedHashSet<String>();
        var todo = new ArrayDeque<String>();
        todo.add(ids.get(0));
        while (!todo.isEmpty()) {
            var id = todo.poll();
            if (seen.add(id)) {
                todo.addAll(edges.getOrDefault(id, List.of()));
            }
        }
        return seen;
    }

    /** The steps a run reaches from the first step before it passes any pause. */
    Set<String> reachableWithoutPause() {
        var seen = new LinkedHashSet<String>();
        var todo = new ArrayDeque<String>();
        todo.add(ids.get(0));
        while (!todo.isEmpty()) {
            var id = todo.poll();
            if (!pauses.contains(id) && seen.add(id)) {
                todo.addAll(edges.getOrDefault(id, List.of()));
            }
        }
        return seen;
    }

    /**
     * Loops that pass through no pause, each as a path that returns to its start, e.g. {@code [a, b,
     * a]}. One loop is named per group of steps that loop among themselves.
     */
    List<List<String>> loopsWithoutPause() {
        var loops = new ArrayList<List<String>>();
        for (var component : components()) {
            var start = component.get(0);
            boolean selfLoop = edges.getOrDefault(start, List.of()).contains(start);
            if (component.size() > 1 || selfLoop) {
                loops.add(cycle(start, new HashSet<>(component)));
            }
        }
        return loops;
    }

    /** Strongly connected components of the graph without its pauses (Tarjan), steps in written order. */
    private List<List<String>> components() {
        var tarjan = new Tarjan();
        for (var id : ids) {
            if (!pauses.contains(id) && !tarjan.index.containsKey(id)) {
                tarjan.visit(id);
            }
        }
        var order = new HashMap<String, Integer>();
        for (int i = 0; i < ids.size(); i++) {
            order.putIfAbsent(ids.get(i), i);
        }
        tarjan.components.forEach(c -> c.sort((a, b) -> order.get(a) - order.get(b)));
        tarjan.components.sort((a, b) -> order.get(a.get(0)) - order.get(b.get(0)));
        return tarjan.components;
    }

    /** The shortest path from {@code start} back to itself inside {@code members}. */
    private List<String> cycle(String start, Set<String> members) {
        var previous = new HashMap<String, String>();
        var todo = new ArrayDeque<String>();
        todo.add(start);
        while (!todo.isEmpty()) {
            var id = todo.poll();
            for (var target : edges.getOrDefault(id, List.of())) {
                if (!members.contains(target)) {
                    continue;
                }
                if (target.equals(start)) {
                    var path = new ArrayList<String>();
                    path.add(start);
                    for (var at = id; !at.equals(start); at = previous.get(at)) {
                        path.add(1, at);
                    }
                    path.add(start);
                    return path;
                }
                if (!previous.containsKey(target)) {
                    previous.put(target, id);
                    todo.add(target);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start);
    }

    private final class Tarjan {
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, Integer> low = new HashMap<>();
        final ArrayDeque<String> stack = new ArrayDeque<>();
        final Set<String> onStack = new HashSet<>();
        final List<List<String>> components = new ArrayList<>();

        void visit(String id) {
            index.put(id, index.size());
            low.put(id, index.get(id));
            stack.push(id);
            onStack.add(id);
            for (var target : edges.getOrDefault(id, List.of())) {
                if (pauses.contains(target)) {
                    continue;
                }
                if (!index.containsKey(target)) {
                    visit(target);
                    low.put(id, Math.min(low.get(id), low.get(target)));
                } else if (onStack.contains(target)) {
                    low.put(id, Math.min(low.get(id), index.get(target)));
                }
            }
            if (low.get(id).equals(index.get(id))) {
                var component = new ArrayList<String>();
                String member;
                do {
                    member = stack.pop();
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(id));
                components.add(component);
            }
        }
    }
}
