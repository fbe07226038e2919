//! Host objects: a game host registers its `Player` type and methods; the script receives
//! players as values, keeps them in a List and a Map, calls their methods
//! (`p.damage(10)`, mutating the host's own struct), and hands them back. Each Player is
//! dropped exactly once, at its final release: by the script, by the host dropping its
//! handle, or by a failed call's cleanup. Missing methods, method calls on other kinds and
//! host objects as map keys are diagnostics.
//!
//! Run it with `cargo run --example host_objects` (add `-- interp` for the interpreter).

use std::sync::{Arc, Mutex};

use cairn::{Engine, EngineKind, HostError, Limits, Value};

const SCRIPT: &str = r#"
fn main() = ()

// Method calls are resolved at run time on the receiver's host type.
fn brawl(a, b) = {
  a.damage(30);
  b.damage(a.power());
  [a.hp(), b.hp()]
}

// Host objects are values: stored in containers, compared by identity.
fn roster(a, b) = #{"first": a, "second": b, "same": a == a, "different": a == b}
fn weakest(ps) = fold(ps, ps[0], \w, p -> if p.hp() < w.hp() then p else w)

// A host function making objects; a script that fails after making some.
fn recruit(n) = collect(map(range(0, n), \i -> spawn("recruit" ++ str(i))))
fn doomed() = { squad = recruit(3); print(len(squad)); fail("ambush") }

fn missing(p) = p.fly()
fn not_an_object() = [1, 2].damage(3)
fn as_key(p) = #{p: 1}
"#;

/// The host's own type: the script never sees its fields, only its methods.
struct Player {
    name: String,
    hp: i64,
    power: i64,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Player {
    fn drop(&mut self) {
        self.log.lock().unwrap().push(format!("drop {}", self.name));
    }
}

fn engine(kind: EngineKind, log: &Arc<Mutex<Vec<String>>>) -> Engine {
    let mut engine = Engine::new(kind);
    engine
        .register_type::<Player>("Player")
        .unwrap()
        .method("damage", |p: &mut Player, amount: i64| {
            p.hp = (p.hp - amount).max(0);
            p.hp
        })
        .unwrap()
        .method("hp", |p: &mut Player| p.hp)
        .unwrap()
        .method("power", |p: &mut Player| p.power)
        .unwrap()
        .method("name", |p: &mut Player| p.name.clone())
        .unwrap();
    let spawn_log = log.clone();
    engine
        .register_raw("spawn", 1, move |host, args| {
            let Value::Text(name) = &args[0] else {
                return Err(HostError::new("spawn expects a name"));
            };
            Ok(host.new_object(Player {
                name: name.clone(),
                hp: 10,
                power: 1,
                log: spawn_log.clone(),
            })?)
        })
        .unwrap();
    engine
}

pub fn run(kind: EngineKind) {
    println!("== host_objects on {kind:?}");
    let log = Arc::new(Mutex::new(Vec::new()));
    let engine = engine(kind, &log);
    let module = engine
        .compile("game.cairn", SCRIPT)
        .unwrap_or_else(|error| panic!("the script should compile:\n{error}"));
    let mut rt = engine.runtime(Limits::default()).expect("runtime");
    let player = |rt: &mut cairn::Runtime, name: &str, power: i64| {
        rt.new_object(Player {
            name: name.into(),
            hp: 100,
            power,
            log: log.clone(),
        })
        .unwrap()
    };
    let alice = player(&mut rt, "alice", 25);
    let bob = player(&mut rt, "bob", 40);
    println!("{alice} and {bob}");
    assert_eq!(
        (alice.to_string(), bob.to_string()),
        ("<Player#1>".into(), "<Player#2>".into())
    );

    // Methods mutate the host's structs; the host reads them back.
    let hps: Vec<i64> = rt
        .call(&module, "brawl", (alice.clone(), bob.clone()))
        .unwrap();
    println!("brawl -> {hps:?}");
    assert_eq!(hps, [70, 75]);
    assert_eq!(rt.object::<Player>(&alice).unwrap().hp, 70);
    rt.object_mut::<Player>(&bob).unwrap().hp = 5;

    // Containers and identity.
    let roster: Value = rt
        .call(&module, "roster", (alice.clone(), bob.clone()))
        .unwrap();
    println!("roster -> {roster}");
    assert_eq!(
        roster.to_string(),
        "#{\"different\": false, \"first\": <Player#1>, \"same\": true, \"second\": <Player#2>}"
    );
    let weakest: Value = rt
        .call(&module, "weakest", (vec![alice.clone(), bob.clone()],))
        .unwrap();
    assert_eq!(weakest, bob);
    println!(
        "weakest -> {weakest} ({})",
        rt.object::<Player>(&weakest).unwrap().name
    );

    // Objects a host function made inside the script.
    let recruits: Value = rt.call(&module, "recruit", (2,)).unwrap();
    println!("recruit(2) -> {recruits}");
    assert_eq!(recruits.to_string(), "[<Player#3>, <Player#4>]");
    drop(recruits);
    rt.blocks_in_use(); // applies the dropped handle's release: both recruits drop now
    assert_eq!(*log.lock().unwrap(), ["drop recruit0", "drop recruit1"]);

    // A failed call releases every object it made.
    log.lock().unwrap().clear();
    let error = rt.call::<Value>(&module, "doomed", ()).unwrap_err();
    println!(
        "doomed -> {} {}; dropped {:?}",
        error.code(),
        error.message(),
        log.lock().unwrap()
    );
    assert_eq!(error.code(), "RT0900");
    assert_eq!(log.lock().unwrap().len(), 3);

    // Diagnostics.
    for (function, args, code) in [
        ("missing", vec![alice.clone()], "RT0307"),
        ("not_an_object", vec![], "RT0307"),
        ("as_key", vec![alice.clone()], "RT0104"),
    ] {
        let error = rt.call_value(&module, function, args).unwrap_err();
        println!("{function} -> {} {}", error.code(), error.message());
        assert_eq!(error.code(), code);
    }

    // Objects of one runtime are refused by another.
    let mut other = engine.runtime(Limits::default()).unwrap();
    let error = other
        .call::<Value>(&module, "missing", (alice.clone(),))
        .unwrap_err();
    println!("other runtime -> {} {}", error.code(), error.message());
    assert_eq!(
        error.message(),
        "this HostObject belongs to another runtime"
    );

    // The host's last handles go: the players drop exactly once.
    log.lock().unwrap().clear();
    drop((alice, bob, roster, weakest));
    assert_eq!(rt.blocks_in_use(), 0);
    let mut dropped = log.lock().unwrap().clone();
    dropped.sort();
    println!("dropped {dropped:?}; blocks in use: 0");
    assert_eq!(dropped, ["drop alice", "drop bob"]);
}

/// The engine named on the command line: `jit` (default) or `interp`.
fn engine_from_args() -> EngineKind {
    match std::env::args().nth(1).as_deref() {
        None | Some("jit") => EngineKind::Jit,
        Some("interp" | "interpreter") => EngineKind::Interpreter,
        Some(other) => panic!("unknown engine {other:?}: expected `jit` or `interp`"),
    }
}

fn main() {
    run(engine_from_args());
}
