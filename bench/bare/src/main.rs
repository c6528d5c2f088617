//! `bare`: the benchmark ceiling. A bare hyper 1 server (hyper-util, tokio multi-thread runtime)
//! that answers every request, whatever its method or path, with the same fixed JSON bytes: the
//! stock-quote example of `bench/fixtures/stock-0.1.json`, compact. It does no routing, no
//! parsing and no logging, so whatever standin measures above it is standin's own cost.
//!
//! Usage: `bare [--port N] [--host ADDR]` (defaults: 127.0.0.1:18000). Prints the listening URL
//! on its first stdout line, like `standin serve`, and nothing per request.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;

/// The stock document's `GET /stock/historical` example, serialized compactly (279 bytes).
const BODY: &[u8] = br#"{"meta_data":{"api_name":"historical_stock_price_v2","num_total_data_points":1,"credit_cost":10,"start_date":"yesterday","end_date":"yesterday"},"result_data":{"AAPL":[{"date":"2000-04-23","volume":33,"high":100.75,"low":100.87,"adj_close":275.03,"close":100.03,"open":100.87}]}}"#;

fn usage() -> ! {
    eprintln!("usage: bare [--port N] [--host ADDR]");
    std::process::exit(2);
}

fn parse_args() -> SocketAddr {
    let mut port: u16 = 18000;
    let mut host = String::from("127.0.0.1");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .unwrap_or_else(|| usage())
        };
        match key.as_str() {
            "--port" | "-p" => port = value().parse().unwrap_or_else(|_| usage()),
            "--host" => host = value(),
            "--help" | "-h" => usage(),
            _ => usage(),
        }
    }
    format!("{host}:{port}").parse().unwrap_or_else(|_| usage())
}

async fn answer(_req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut resp = Response::new(Full::new(Bytes::from_static(BODY)));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(resp)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> std::io::Result<()> {
    let addr = parse_args();
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("http://{local}");
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(_) => continue,
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
}
