//! `cairn::to_value` / `cairn::from_value`: serde's data model onto script values (structs
//! as Maps with Text keys, externally tagged enums, Lists, Tuples, Unit), round trips
//! through scripts on both engines, and errors that name the path.

use std::collections::{BTreeMap, HashMap};

use cairn::{Engine, EngineKind, Limits, Value};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Command {
    Stop,
    Move(i32),
    Jump(i64, i64),
    Say { text: String, loud: bool },
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Unit;

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Meters(f64);

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Item {
    name: String,
    count: u32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Everything {
    items: Vec<Item>,
    commands: Vec<Command>,
    pair: (u8, String),
    maybe: Option<i16>,
    nothing: Option<i16>,
    unit: (),
    marker: Unit,
    distance: Meters,
    by_name: BTreeMap<String, i64>,
    by_id: HashMap<i64, bool>,
    letter: char,
    ratio: f32,
}

fn sample() -> Everything {
    Everything {
        items: vec![
            Item {
                name: "tea".into(),
                count: 2,
            },
            Item {
                name: "cake".into(),
                count: 1,
            },
        ],
        commands: vec![
            Command::Stop,
            Command::Move(-3),
            Command::Jump(1, 2),
            Command::Say {
                text: "hi".into(),
                loud: true,
            },
        ],
        pair: (7, "seven".into()),
        maybe: Some(-5),
        nothing: None,
        unit: (),
        marker: Unit,
        distance: Meters(2.5),
        by_name: [("a".to_string(), 1), ("b".to_string(), 2)]
            .into_iter()
            .collect(),
        by_id: [(10, true)].into_iter().collect(),
        letter: 'λ',
        ratio: 0.25,
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

#[test]
fn the_mapping_is_the_documented_one() {
    let value = cairn::to_value(&sample()).unwrap();
    let Value::Map(entries) = &value else {
        panic!("a Map: {value}")
    };
    let field = |name: &str| {
        entries
            .iter()
            .find(|(k, _)| *k == text(name))
            .map(|(_, v)| v.to_string())
            .unwrap()
    };
    assert_eq!(
        field("items"),
        r#"[#{"name": "tea", "count": 2}, #{"name": "cake", "count": 1}]"#
    );
    assert_eq!(
        field("commands"),
        r#"["Stop", #{"Move": -3}, #{"Jump": (1, 2)}, #{"Say": #{"text": "hi", "loud": true}}]"#
    );
    assert_eq!(field("pair"), r#"(7, "seven")"#);
    assert_eq!(field("maybe"), "-5");
    assert_eq!(field("nothing"), "()");
    assert_eq!(field("unit"), "()");
    assert_eq!(field("marker"), "()");
    assert_eq!(field("distance"), "2.5");
    assert_eq!(field("by_id"), "#{10: true}");
    assert_eq!(field("letter"), "λ");
    assert_eq!(field("ratio"), "0.25");
    assert_eq!(
        cairn::to_value(&[1, 2]).unwrap(),
        Value::Tuple(vec![Value::Int(1), Value::Int(2)])
    );
    assert_eq!(cairn::from_value::<Everything>(value).unwrap(), sample());
}

#[test]
fn values_round_trip_through_scripts_on_both_engines() {
    for kind in [EngineKind::Interpreter, EngineKind::Jit] {
        let engine = Engine::new(kind);
        let module = engine
            .compile("id.cairn", "fn main() = 0\nfn id(x) = x")
            .unwrap();
        let mut rt = engine.runtime(Limits::default()).unwrap();
        let value = cairn::to_value(&sample()).unwrap();
        let back: Value = rt.call(&module, "id", (value,)).unwrap();
        // The script's Map sorts the keys; serde finds the fields by name.
        assert_eq!(
            cairn::from_value::<Everything>(back).unwrap(),
            sample(),
            "{kind:?}"
        );
        assert_eq!(rt.blocks_in_use(), 0);
    }
}

#[test]
fn errors_name_the_path() {
    let mut value = cairn::to_value(&sample()).unwrap();
    let Value::Map(entries) = &mut value else {
        unreachable!()
    };
    let items = &mut entries
        .iter_mut()
        .find(|(k, _)| *k == text("items"))
        .unwrap()
        .1;
    let Value::List(list) = items else {
        unreachable!()
    };
    let Value::Map(item) = &mut list[1] else {
        unreachable!()
    };
    item[1].1 = text("one");
    let error = cairn::from_value::<Everything>(value.clone()).unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        ("RT0303", ".items[1].count: expected Int, found Text")
    );

    let cases: Vec<(Value, &str, &str)> = vec![
        (
            Value::Map(vec![(text("name"), text("x"))]),
            "RT0303",
            "missing field `count`",
        ),
        (
            Value::Map(vec![
                (text("name"), text("x")),
                (text("count"), Value::Int(-1)),
            ]),
            "RT0301",
            ".count: integer overflow: -1 does not fit in a u32",
        ),
        (Value::Int(1), "RT0303", "expected Map, found Int"),
    ];
    for (value, code, message) in cases {
        let error = cairn::from_value::<Item>(value).unwrap_err();
        assert_eq!((error.code(), error.message()), (code, message));
    }

    let error = cairn::from_value::<Vec<Command>>(Value::List(vec![
        text("Stop"),
        Value::Map(vec![(
            text("Say"),
            Value::Map(vec![(text("text"), Value::Int(1))]),
        )]),
    ]))
    .unwrap_err();
    assert_eq!(error.message(), "[1].Say.text: expected Text, found Int");
    let error = cairn::from_value::<Command>(text("Fly")).unwrap_err();
    assert_eq!(
        error.message(),
        "unknown variant `Fly`, expected one of `Stop`, `Move`, `Jump`, `Say`"
    );
    let error =
        cairn::from_value::<HashMap<String, u8>>(Value::Map(vec![(text("k"), Value::Int(256))]))
            .unwrap_err();
    assert_eq!(
        error.message(),
        "[\"k\"]: integer overflow: 256 does not fit in a u8"
    );

    let error = cairn::to_value(&Item {
        name: "x".into(),
        count: 1,
    })
    .map(|_| ());
    assert!(error.is_ok());
    let error = cairn::to_value(&BTreeMap::from([("big", vec![0, i64::MAX])])).unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (
            "RT0301",
            "[\"big\"][1]: integer overflow: 9223372036854775807 does not fit in a script Int (48 bits)"
        )
    );
}

#[test]
fn opaque_values_and_deep_values_are_errors_not_crashes() {
    let engine = Engine::new(EngineKind::Interpreter);
    let module = engine.compile("r.cairn", "fn main() = ref(1)").unwrap();
    let mut rt = engine.runtime(Limits::default()).unwrap();
    let handle: Value = rt.call(&module, "main", ()).unwrap();
    let error = cairn::from_value::<i64>(handle.clone()).unwrap_err();
    assert_eq!(error.message(), "expected Int, found Ref");
    let error = cairn::from_value::<serde::de::IgnoredAny>(handle).map(|_| ());
    assert!(error.is_ok(), "ignored");

    let mut deep = Value::Int(0);
    for _ in 0..1_000 {
        deep = Value::List(vec![deep]);
    }
    #[derive(Deserialize, Debug)]
    #[serde(untagged)]
    enum Tree {
        Leaf(#[allow(dead_code)] i64),
        Node(#[allow(dead_code)] Vec<Tree>),
    }
    let error = cairn::from_value::<Tree>(deep).unwrap_err();
    assert_eq!(error.code(), "RT0303");
}
