//! The Float functions of docs/LANGUAGE.md, "Standard library" / "Math": `sqrt`, `pow`,
//! `exp`, `ln`, `log`, `sin`, `cos`, `tan`, `atan2` and `pi`. Int arguments are converted
//! exactly; each result is the Rust f64 method named in the docs (IEEE: `sqrt(-1)` is NaN,
//! as `0.0 / 0.0` is), so the interpreter, the JIT (both call these shims) and the
//! reference evaluator compute the same bits. `pow` of two Ints stays an Int.

use crate::error::RuntimeError;
use crate::value::Value;

use super::math::{Number, expect_number, expect_numbers};

/// A one-argument Float function of builtin `op`.
fn unary(op: &str, x: u64, f: fn(f64) -> f64) -> Result<u64, RuntimeError> {
    Ok(Value::float(f(expect_number(op, Value(x))?.float())).bits())
}

/// `base ^ exponent` for Ints: RT0301 past the Int range, RT0306 for a negative exponent.
pub(crate) fn int_pow(base: i64, exponent: i64) -> Result<i64, RuntimeError> {
    if exponent < 0 {
        return Err(RuntimeError::invalid_argument(
            "pow",
            "a negative exponent needs a Float base",
        ));
    }
    let result = match base {
        _ if exponent == 0 => Some(1),
        0 | 1 => Some(base),
        -1 => Some(if exponent % 2 == 0 { 1 } else { -1 }),
        // |base| >= 2: 2^48 is past the range already.
        _ if exponent > 47 => None,
        _ => base.checked_pow(exponent as u32),
    };
    result
        .and_then(Value::int)
        .and_then(|word| word.as_int())
        .ok_or_else(RuntimeError::integer_overflow)
}

/// `log(x, base)`: `log2` for base 2, `log10` for base 10 (both exact on powers), else
/// `ln(x) / ln(base)`.
pub(crate) fn log_base(x: f64, base: f64) -> f64 {
    if base == 2.0 {
        x.log2()
    } else if base == 10.0 {
        x.log10()
    } else {
        x.ln() / base.ln()
    }
}

define_shim! {
    /// `sqrt(x)`: a Float (NaN for a negative `x`).
    fn rt_sqrt(context, x) {
        let _ = context;
        unary("sqrt", x, f64::sqrt)
    }
}

define_shim! {
    /// `pow(x, y)`: Int ^ Int is a checked Int; with a Float, `f64::powf`.
    fn rt_pow(context, x, y) {
        let _ = context;
        match expect_numbers("pow", [Value(x), Value(y)])? {
            [Number::Int(base), Number::Int(exponent)] => {
                let n = int_pow(base, exponent)?;
                Value::int(n).map(Value::bits).ok_or_else(RuntimeError::integer_overflow)
            }
            [base, exponent] => Ok(Value::float(base.float().powf(exponent.float())).bits()),
        }
    }
}

define_shim! {
    /// `exp(x)`: e^x, a Float.
    fn rt_exp(context, x) {
        let _ = context;
        unary("exp", x, f64::exp)
    }
}

define_shim! {
    /// `ln(x)`: the natural logarithm, a Float (`-inf` at 0, NaN below).
    fn rt_ln(context, x) {
        let _ = context;
        unary("ln", x, f64::ln)
    }
}

define_shim! {
    /// `log(x, base)`: see [`log_base`].
    fn rt_log(context, x, base) {
        let _ = context;
        let [x, base] = expect_numbers("log", [Value(x), Value(base)])?;
        Ok(Value::float(log_base(x.float(), base.float())).bits())
    }
}

define_shim! {
    /// `sin(x)` (radians), a Float.
    fn rt_sin(context, x) {
        let _ = context;
        unary("sin", x, f64::sin)
    }
}

define_shim! {
    /// `cos(x)` (radians), a Float.
    fn rt_cos(context, x) {
        let _ = context;
        unary("cos", x, f64::cos)
    }
}

define_shim! {
    /// `tan(x)` (radians), a Float.
    fn rt_tan(context, x) {
        let _ = context;
        unary("tan", x, f64::tan)
    }
}

define_shim! {
    /// `atan2(y, x)`: the angle of the point `(x, y)`, in `-pi ..= pi`.
    fn rt_atan2(context, y, x) {
        let _ = context;
        let [y, x] = expect_numbers("atan2", [Value(y), Value(x)])?;
        Ok(Value::float(y.float().atan2(x.float())).bits())
    }
}

define_shim! {
    /// `pi()`: `std::f64::consts::PI`.
    fn rt_pi(context) {
        let _ = context;
        Ok(Value::float(std::f64::consts::PI).bits())
    }
}

#[cfg(test)]
mod tests {
    use super::{int_pow, log_base};

    #[test]
    fn int_powers_are_checked() {
        assert_eq!(int_pow(2, 46).ok(), Some(1 << 46));
        assert_eq!(int_pow(-2, 47).ok(), Some(-(1 << 47)));
        assert!(int_pow(2, 47).is_err());
        assert_eq!(int_pow(-1, (1 << 47) - 1).ok(), Some(-1));
        assert_eq!(int_pow(0, 0).ok(), Some(1));
        assert_eq!(int_pow(0, 5).ok(), Some(0));
        assert!(int_pow(3, 1 << 40).is_err());
        assert_eq!(int_pow(2, -1).unwrap_err().code.as_str(), "RT0306");
        assert_eq!(int_pow(2, 48).unwrap_err().code.as_str(), "RT0301");
    }

    #[test]
    fn logs_of_powers_are_exact_in_bases_2_and_10() {
        assert_eq!(log_base(8.0, 2.0), 3.0);
        assert_eq!(log_base(1000.0, 10.0), 3.0);
        assert_eq!(log_base(1.0, 3.0), 0.0);
    }
}
