//! Host objects (docs/EMBEDDING.md, "Host objects") on both engines: method calls, mutable
//! receivers, deterministic drop at the final release (inside containers too), failed and
//! cancelled calls, identity equality, the map-key and method diagnostics, objects of
//! another runtime, audit visibility, and identical refcount traces.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cairn::{Engine, EngineKind, HostError, Limits, Module, Runtime, Value};

const ENGINES: [EngineKind; 2] = [EngineKind::Interpreter, EngineKind::Jit];

/// A host type that counts its drops.
struct Player {
    name: String,
    hp: i64,
    drops: Arc<AtomicUsize>,
}

impl Drop for Player {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

const SCRIPT: &str = r#"fn main() = 0
fn hit(p, n) = { p.damage(n); p.hp() }
fn hp(p) = p.hp()
fn keep(p) = [p, p]
fn in_map(p) = #{"hero": p}
fn same(a, b) = a == b
fn as_key(p) = #{p: 1}
fn missing(p) = p.heal(3)
fn on_int() = 5.damage(1)
fn wrong_arity(p) = p.damage(1, 2)
fn shown(p) = str(p)
fn spawn_and_fail(n) = { ps = [spawn("a", n), spawn("b", n)]; print(len(ps)); fail("boom") }
fn spawn_and_drop(n) = { p = spawn("c", n); p.hp() }
fn spawn_pair(n) = (spawn("d", n), spawn("e", n))
fn spawn_and_spin(n) = { p = spawn("f", n); spin(p, 0) }
fn spin(p, i) = spin(p, i + 1)
fn rename(p, s) = { p.rename(s); p.name() }
fn many(p) = { xs = collect(map(range(0, 70000), \i -> p)); len(xs) }
fn failing(p) = p.explode()
"#;

fn engine(kind: EngineKind, drops: &Arc<AtomicUsize>) -> Engine {
    let mut engine = Engine::new(kind);
    engine
        .register_type::<Player>("Player")
        .unwrap()
        .method("damage", |p: &mut Player, amount: i64| p.hp -= amount)
        .unwrap()
        .method("hp", |p: &mut Player| p.hp)
        .unwrap()
        .method("name", |p: &mut Player| p.name.clone())
        .unwrap()
        .method("rename", |p: &mut Player, name: String| p.name = name)
        .unwrap()
        .method("explode", |_p: &mut Player| -> Result<i64, HostError> {
            Err(HostError::new("kaboom"))
        })
        .unwrap();
    let spawned = drops.clone();
    engine
        .register_raw("spawn", 2, move |host, args| {
            let (Value::Text(name), Value::Int(hp)) = (&args[0], &args[1]) else {
                return Err(HostError::new("spawn(name, hp)"));
            };
            MADE.with(|made| made.set(made.get() + 1));
            Ok(host.new_object(Player {
                name: name.clone(),
                hp: *hp,
                drops: spawned.clone(),
            })?)
        })
        .unwrap();
    engine
}

fn setup(kind: EngineKind) -> (Engine, Module, Runtime, Arc<AtomicUsize>) {
    let drops = Arc::new(AtomicUsize::new(0));
    let engine = engine(kind, &drops);
    let module = engine.compile("players.cairn", SCRIPT).unwrap();
    let rt = engine.runtime(Limits::default()).unwrap();
    (engine, module, rt, drops)
}

fn player(rt: &mut Runtime, drops: &Arc<AtomicUsize>, hp: i64) -> Value {
    rt.new_object(Player {
        name: "hero".into(),
        hp,
        drops: drops.clone(),
    })
    .unwrap()
}

#[test]
fn methods_take_the_object_mutably_and_the_host_reads_it_back() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let p = player(&mut rt, &drops, 100);
        assert_eq!(p.to_string(), "<Player#1>");
        assert_eq!(rt.call::<i64>(&module, "hit", (p.clone(), 30)).unwrap(), 70);
        assert_eq!(rt.call::<i64>(&module, "hit", (p.clone(), 5)).unwrap(), 65);
        assert_eq!(rt.object::<Player>(&p).unwrap().hp, 65);
        rt.object_mut::<Player>(&p).unwrap().hp = 1;
        assert_eq!(rt.call::<i64>(&module, "hp", (p.clone(),)).unwrap(), 1);
        let name: String = rt.call(&module, "rename", (p.clone(), "zed")).unwrap();
        assert_eq!(name, "zed");
        assert_eq!(
            rt.call::<String>(&module, "shown", (p.clone(),)).unwrap(),
            "<Player#1>"
        );
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        assert_eq!(rt.blocks_in_use(), 1);
        drop(p);
        assert_eq!(rt.blocks_in_use(), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 1, "{kind:?}");
        assert_eq!(rt.host_objects_alive(), 0);
    }
}

#[test]
fn an_object_made_and_released_in_a_call_drops_there_exactly_once() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        assert_eq!(rt.call::<i64>(&module, "spawn_and_drop", (7,)).unwrap(), 7);
        assert_eq!(drops.load(Ordering::SeqCst), 1, "{kind:?}");
        assert_eq!(rt.blocks_in_use(), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn objects_in_containers_are_released_with_them() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let p = player(&mut rt, &drops, 10);
        let list: Value = rt.call(&module, "keep", (p.clone(),)).unwrap();
        assert_eq!(list.to_string(), "[<Player#1>, <Player#1>]");
        let map: Value = rt.call(&module, "in_map", (p.clone(),)).unwrap();
        assert_eq!(map.to_string(), "#{\"hero\": <Player#1>}");
        drop(p);
        assert_eq!(
            drops.load(Ordering::SeqCst),
            0,
            "the list and the map still hold it"
        );
        drop(list);
        rt.blocks_in_use();
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(map);
        assert_eq!(rt.blocks_in_use(), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        let pair: Value = rt.call(&module, "spawn_pair", (3,)).unwrap();
        assert_eq!(pair.to_string(), "(<Player#2>, <Player#3>)");
        assert_eq!(rt.host_objects_alive(), 2);
        drop(pair);
        assert_eq!(rt.blocks_in_use(), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 3);
    }
}

#[test]
fn a_failed_call_releases_every_object_it_made() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let before = rt.blocks_in_use();
        let error = rt
            .call::<Value>(&module, "spawn_and_fail", (1,))
            .unwrap_err();
        assert_eq!(error.code(), "RT0900");
        assert_eq!(rt.output(), b"2\n");
        assert_eq!(drops.load(Ordering::SeqCst), 2, "{kind:?}");
        assert_eq!(rt.blocks_in_use(), before);
        assert_eq!(rt.host_objects_alive(), 0);
    }
}

#[test]
fn a_cancelled_call_releases_every_object_it_made() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let cancel = rt.cancel_handle();
        cancel.cancel();
        let error = rt
            .call::<Value>(&module, "spawn_and_spin", (1,))
            .unwrap_err();
        assert_eq!(error.code(), "RT0503");
        // Cancelled before anything ran: nothing was made.
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        let limited = Limits {
            fuel: Some(10_000),
            ..Limits::default()
        };
        let drops2 = Arc::new(AtomicUsize::new(0));
        let engine = engine(kind, &drops2);
        let module = engine.compile("players.cairn", SCRIPT).unwrap();
        let mut rt = engine.runtime(limited).unwrap();
        let error = rt
            .call::<Value>(&module, "spawn_and_spin", (1,))
            .unwrap_err();
        assert_eq!(error.code(), "RT0502");
        assert_eq!(drops2.load(Ordering::SeqCst), 1, "{kind:?}");
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn a_call_cancelled_while_it_runs_releases_its_objects() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let cancel = rt.cancel_handle();
        let watchdog = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            cancel.cancel();
        });
        let error = rt
            .call::<Value>(&module, "spawn_and_spin", (1,))
            .unwrap_err();
        watchdog.join().unwrap();
        assert_eq!(error.code(), "RT0503");
        assert_eq!(drops.load(Ordering::SeqCst), 1, "{kind:?}");
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn equality_is_identity() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let a = player(&mut rt, &drops, 1);
        let b = player(&mut rt, &drops, 1);
        assert!(
            rt.call::<bool>(&module, "same", (a.clone(), a.clone()))
                .unwrap()
        );
        assert!(
            !rt.call::<bool>(&module, "same", (a.clone(), b.clone()))
                .unwrap()
        );
        assert_eq!(a, a.clone());
        assert_ne!(a, b);
        drop((a, b));
        assert_eq!(rt.blocks_in_use(), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }
}

#[test]
fn diagnostics_name_the_type_and_the_method() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let p = player(&mut rt, &drops, 1);
        let cases: [(&str, Vec<Value>, &str, &str); 5] = [
            (
                "as_key",
                vec![p.clone()],
                "RT0104",
                "map key is not a valid key type: HostObject",
            ),
            (
                "missing",
                vec![p.clone()],
                "RT0307",
                "no method heal on Player",
            ),
            ("on_int", vec![], "RT0307", "no method damage on Int"),
            (
                "wrong_arity",
                vec![p.clone()],
                "RT0305",
                "arity mismatch: Player.damage expects 1 argument, got 2",
            ),
            (
                "failing",
                vec![p.clone()],
                "RT0701",
                "host function Player.explode failed: kaboom",
            ),
        ];
        for (function, args, code, message) in cases {
            let error = rt.call_value(&module, function, args).unwrap_err();
            assert_eq!(
                (error.code(), error.message()),
                (code, message),
                "{kind:?} {function}"
            );
            assert!(!error.stack().is_empty(), "{function}");
        }
        drop(p);
        assert_eq!(rt.blocks_in_use(), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn an_object_of_another_runtime_is_refused() {
    for kind in ENGINES {
        let (engine, module, mut rt, drops) = setup(kind);
        let p = player(&mut rt, &drops, 1);
        let mut other = engine.runtime(Limits::default()).unwrap();
        let error = other.call::<i64>(&module, "hp", (p.clone(),)).unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            ("RT0001", "this HostObject belongs to another runtime")
        );
        let error = other.object::<Player>(&p).err().unwrap();
        assert_eq!(error.code(), "RT0001");
        assert_eq!(other.blocks_in_use(), 0);
        assert_eq!(rt.object::<i64>(&p).err().unwrap().code(), "RT0303");
        assert_eq!(
            rt.object::<Player>(&Value::Int(1)).err().unwrap().code(),
            "RT0303"
        );
        drop(p);
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn registration_is_checked() {
    let mut engine = Engine::new(EngineKind::Interpreter);
    assert!(engine.register_type::<Player>("Player").is_ok());
    assert!(
        engine.register_type::<Player>("Player").is_ok(),
        "again: same type, same name"
    );
    let error = engine.register_type::<String>("Player").err().unwrap();
    assert_eq!(error.code(), "RT0001");
    let error = engine.register_type::<Player>("Hero").err().unwrap();
    assert_eq!(error.code(), "RT0001");
    let error = engine.register_type::<u8>("not a name").err().unwrap();
    assert_eq!(error.code(), "RT0001");
    let mut rt = engine.runtime(Limits::default()).unwrap();
    let error = rt.new_object(5u32).unwrap_err();
    assert_eq!(error.code(), "RT0001");
}

#[test]
fn both_engines_record_the_same_trace() {
    let mut traces = Vec::new();
    let mut outputs = Vec::new();
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        rt.start_trace();
        let p = player(&mut rt, &drops, 50);
        let _ = rt.call::<i64>(&module, "hit", (p.clone(), 3)).unwrap();
        let _ = rt.call::<Value>(&module, "keep", (p.clone(),)).unwrap();
        let _ = rt.call::<i64>(&module, "spawn_and_drop", (2,)).unwrap();
        let _ = rt
            .call::<Value>(&module, "spawn_and_fail", (2,))
            .unwrap_err();
        let _ = rt
            .call::<Value>(&module, "missing", (p.clone(),))
            .unwrap_err();
        drop(p);
        assert_eq!(rt.blocks_in_use(), 0);
        traces.push(rt.take_trace());
        outputs.push(drops.load(Ordering::SeqCst));
    }
    assert!(!traces[0].is_empty());
    assert_eq!(traces[0], traces[1]);
    assert_eq!(outputs, [4, 4]);
}

#[test]
fn the_audit_tools_see_host_objects() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let p = player(&mut rt, &drops, 5);
        let (value, (report, stats)) =
            rt.call_value_inspecting(&module, "keep", vec![p.clone()], |rt| {
                (rt.run_ownership_check(), rt.export_heap_stats())
            });
        assert!(report.valid, "{report}");
        assert_eq!(stats.live_by_kind.get("HostObject"), Some(&1), "{stats:?}");
        drop(value);
        drop(p);
        assert_eq!(rt.blocks_in_use(), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn a_saturated_count_copies_the_block_and_still_drops_once() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let p = player(&mut rt, &drops, 5);
        // 70,000 references pass the 16-bit count: retain copies the block, which names the
        // same slot (the same object).
        rt.start_trace();
        assert_eq!(
            rt.call::<i64>(&module, "many", (p.clone(),)).unwrap(),
            70_000
        );
        let trace = rt.take_trace();
        assert!(
            trace.iter().any(|e| e.op == cairn::RefOp::Cow),
            "a saturated count was copied"
        );
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        assert_eq!(rt.host_objects_alive(), 1);
        assert_eq!(rt.blocks_in_use(), 1);
        drop(p);
        assert_eq!(rt.blocks_in_use(), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 1, "{kind:?}");
    }
}

#[test]
fn dropping_the_runtime_drops_the_objects_it_still_holds() {
    for kind in ENGINES {
        let (_engine, _module, mut rt, drops) = setup(kind);
        let p = player(&mut rt, &drops, 5);
        let q = player(&mut rt, &drops, 6);
        drop(q);
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), 2, "{kind:?}");
        drop(p); // a handle outliving its runtime is safe to drop
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }
}

#[test]
fn the_ownership_graph_names_host_objects() {
    for kind in ENGINES {
        let (_engine, _module, mut rt, drops) = setup(kind);
        let p = player(&mut rt, &drops, 5);
        let graph = rt.export_ref_graph();
        assert!(graph.to_dot().contains("HostObject"), "{}", graph.to_dot());
        assert!(graph.to_json().to_string().contains("HostObject"));
        drop(p);
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn an_allocation_failure_at_any_point_drops_every_object_made() {
    for kind in ENGINES {
        let mut completed = false;
        MADE.with(|made| made.set(0));
        for fail_at in 1..=12 {
            let drops = Arc::new(AtomicUsize::new(0));
            let engine = engine(kind, &drops);
            let module = engine.compile("players.cairn", SCRIPT).unwrap();
            let limits = Limits {
                fail_alloc_at: Some(fail_at),
                ..Limits::default()
            };
            let mut rt = engine.runtime(limits).unwrap();
            match rt.call::<Value>(&module, "spawn_pair", (1,)) {
                Ok(pair) => {
                    assert_eq!(pair.to_string(), "(<Player#1>, <Player#2>)");
                    drop(pair);
                    completed = true;
                }
                Err(error) => assert_eq!(error.code(), "RT0401", "{kind:?} at {fail_at}: {error}"),
            }
            assert_eq!(rt.blocks_in_use(), 0, "{kind:?} at {fail_at}");
            assert_eq!(rt.host_objects_alive(), 0, "{kind:?} at {fail_at}");
            let made = MADE.with(|made| made.replace(0));
            assert!(made > 0 || fail_at == 1, "{kind:?} at {fail_at}");
            assert_eq!(drops.load(Ordering::SeqCst), made, "{kind:?} at {fail_at}");
        }
        assert!(completed, "a failure point past the call's last allocation");
    }
}

thread_local! {
    /// Players the `spawn` host function constructed on this thread (host functions run on
    /// the calling thread).
    static MADE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[test]
fn leak_detection_covers_host_objects() {
    for kind in ENGINES {
        let (_engine, module, mut rt, drops) = setup(kind);
        let (held, leaks) = rt.detect_leaks(|rt| {
            let pair: Value = rt.call(&module, "spawn_pair", (1,)).unwrap();
            drop(pair);
            rt.call::<Value>(&module, "spawn_and_fail", (1,))
                .unwrap_err();
            player(rt, &drops, 3) // still held: reached from the host's handle, not a leak
        });
        assert!(leaks.is_clean(), "{kind:?}: {leaks}");
        assert_eq!(drops.load(Ordering::SeqCst), 4);
        drop(held);
        assert_eq!(rt.blocks_in_use(), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 5);
    }
}
