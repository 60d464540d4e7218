//! A tiny JSON reader (the workspace has no serde): enough for the Python scripts' output.

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

static NULL: Value = Value::Null;

impl Value {
    pub fn get(&self, key: &str) -> &Value {
        match self {
            Value::Map(m) => m.iter().find(|(k, _)| k == key).map_or(&NULL, |(_, v)| v),
            _ => &NULL,
        }
    }
    pub fn index(&self, i: usize) -> &Value {
        match self {
            Value::List(l) => l.get(i).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Num(n) => Some(*n as i64),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_strings(&self) -> Vec<String> {
        match self {
            Value::List(l) => l
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Num(n) => write!(f, "{n}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{k:?}:{v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

pub fn parse(text: &str) -> Value {
    let mut chars = text.chars().peekable();
    let v = value(&mut chars);
    assert!(chars.all(char::is_whitespace), "trailing JSON in {text}");
    v
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_ws(c: &mut Chars<'_>) {
    while c.peek().is_some_and(|x| x.is_whitespace()) {
        c.next();
    }
}

fn value(c: &mut Chars<'_>) -> Value {
    skip_ws(c);
    match c.peek().copied() {
        Some('{') => {
            c.next();
            let mut m = Vec::new();
            loop {
                skip_ws(c);
                if c.peek() == Some(&'}') {
                    c.next();
                    return Value::Map(m);
                }
                let Value::Str(k) = value(c) else {
                    panic!("JSON key")
                };
                skip_ws(c);
                assert_eq!(c.next(), Some(':'));
                m.push((k, value(c)));
                skip_ws(c);
                if c.peek() == Some(&',') {
                    c.next();
                }
            }
        }
        Some('[') => {
            c.next();
            let mut l = Vec::new();
            loop {
                skip_ws(c);
                if c.peek() == Some(&']') {
                    c.next();
                    return Value::List(l);
                }
                l.push(value(c));
                skip_ws(c);
                if c.peek() == Some(&',') {
                    c.next();
                }
            }
        }
        Some('"') => {
            c.next();
            let mut s = String::new();
            while let Some(x) = c.next() {
                match x {
                    '"' => break,
                    '\\' => match c.next() {
                        Some('n') => s.push('\n'),
                        Some('r') => s.push('\r'),
                        Some('t') => s.push('\t'),
                        Some('u') => {
                            let h: String = c.by_ref().take(4).collect();
                            s.push(
                                u32::from_str_radix(&h, 16)
                                    .ok()
                                    .and_then(char::from_u32)
                                    .unwrap_or('?'),
                            );
                        }
                        Some(o) => s.push(o),
                        None => break,
                    },
                    o => s.push(o),
                }
            }
            Value::Str(s)
        }
        Some('t') | Some('f') | Some('n') => {
            let w: String = std::iter::from_fn(|| c.next_if(|x| x.is_ascii_alphabetic())).collect();
            match w.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::Null,
            }
        }
        _ => {
            let n: String =
                std::iter::from_fn(|| c.next_if(|x| x.is_ascii_digit() || "+-.eE".contains(*x)))
                    .collect();
            Value::Num(n.parse().unwrap_or(f64::NAN))
        }
    }
}
