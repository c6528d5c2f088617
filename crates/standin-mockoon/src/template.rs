//! Mockoon bodies and header values as Handlebars templates, compiled at load and
//! rendered with Mockoon's request helpers (`urlParam`, `queryParam`, `header`,
//! `cookie`, `body`, `bodyRaw`, `method`) against a model of the request. A template
//! that fails to render is sent as written, never a crash.

use std::sync::OnceLock;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, Renderable, StringOutput,
    Template as Ast,
};
use serde_json::Value;
use standin_core::Diagnostic;

use crate::rules::at_path;

/// A compiled text.
#[derive(Debug)]
pub struct Template {
    source: String,
    ast: Option<Ast>,
}

fn registry() -> &'static Handlebars<'static> {
    static REG: OnceLock<Handlebars<'static>> = OnceLock::new();
    REG.get_or_init(|| {
        let mut h = Handlebars::new();
        h.register_escape_fn(handlebars::no_escape);
        for (name, key) in [
            ("urlParam", "params"),
            ("queryParam", "query"),
            ("header", "headers"),
            ("cookie", "cookies"),
            ("body", "body"),
        ] {
            h.register_helper(
                name,
                Box::new(
                    move |hp: &Helper<'_>,
                          _: &Handlebars<'_>,
                          ctx: &Context,
                          _: &mut RenderContext<'_, '_>,
                          out: &mut dyn Output|
                          -> HelperResult {
                        let arg = hp.param(0).map(|p| p.value().clone());
                        let fallback = hp.param(1).map(|p| p.value().clone());
                        let root = &ctx.data()[key];
                        let found = match arg.as_ref().and_then(Value::as_str) {
                            None | Some("") => Some(root),
                            Some(path) if key == "headers" => root.get(path.to_ascii_lowercase()),
                            Some(path) if key == "body" => at_path(root, path),
                            Some(path) => root.get(path),
                        };
                        let v = found.filter(|v| !v.is_null()).cloned().or(fallback);
                        out.write(&match v {
                            Some(Value::String(s)) => s,
                            Some(other) => other.to_string(),
                            None => String::new(),
                        })?;
                        Ok(())
                    },
                ),
            );
        }
        for (name, key) in [("bodyRaw", "bodyRaw"), ("method", "method")] {
            h.register_helper(
                name,
                Box::new(
                    move |_: &Helper<'_>,
                          _: &Handlebars<'_>,
                          ctx: &Context,
                          _: &mut RenderContext<'_, '_>,
                          out: &mut dyn Output|
                          -> HelperResult {
                        out.write(ctx.data()[key].as_str().unwrap_or(""))?;
                        Ok(())
                    },
                ),
            );
        }
        h
    })
}

impl Template {
    /// Compiles `text`; literal when templating is off or there is no `{{`. A template
    /// that does not parse is a diagnostic and is sent as written.
    pub fn compile(
        text: &str,
        templating: bool,
        file: &str,
        ptr: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Template {
        let ast = if templating && text.contains("{{") {
            match Ast::compile(text) {
                Ok(a) => Some(a),
                Err(e) => {
                    diags.push(Diagnostic::warning(
                        file,
                        ptr,
                        format!("template does not parse, sent as written: {e}"),
                    ));
                    None
                }
            }
        } else {
            None
        };
        Template {
            source: text.to_string(),
            ast,
        }
    }

    /// Whether rendering needs the request.
    pub fn is_dynamic(&self) -> bool {
        self.ast.is_some()
    }

    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders against a request model; the text as written when rendering fails.
    pub fn render(&self, model: &Context) -> String {
        let Some(ast) = &self.ast else {
            return self.source.clone();
        };
        let mut rc = RenderContext::new(None);
        let mut out = StringOutput::new();
        match ast.render(registry(), model, &mut rc, &mut out) {
            Ok(()) => out.into_string().unwrap_or_else(|_| self.source.clone()),
            Err(_) => self.source.clone(),
        }
    }
}
