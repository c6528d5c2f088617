//! How much [`standin_server::conn::serve`] costs over hyper on a plain `TokioIo`: both
//! servers answer "hello" on 127.0.0.1, a keep-alive HTTP/1.1 client in the same process
//! sends the same requests to each, in alternating rounds, and the median rate of each is
//! printed. Run it with `cargo run --release -p standin-server --example conn_overhead`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use standin_server::body::ReplyBody;
use standin_server::conn::{self, Control, Faulted};
use tokio::net::{TcpListener, TcpStream};

const CONNECTIONS: usize = 4;
const REQUESTS: usize = 5_000;
const ROUNDS: usize = 5;

async fn through_conn() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        // Never stopped: the sender lives as long as the loop.
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let settings = std::sync::Arc::new(conn::Settings::new(
            &standin_server::Limits::default(),
            stopped,
        ));
        while let Ok((stream, peer)) = listener.accept().await {
            tokio::spawn(conn::serve(
                stream,
                peer,
                settings.clone(),
                |_req: Request<Incoming>, _c: Control| async {
                    Ok::<_, Faulted>(Response::new(ReplyBody::full(Bytes::from_static(b"hello"))))
                },
            ));
        }
    });
    Ok(addr)
}

async fn plain() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let svc = service_fn(|_req: Request<Incoming>| async {
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"hello"))))
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Ok(addr)
}

/// Requests per second over `CONNECTIONS` keep-alive connections.
async fn rate(addr: SocketAddr) -> Result<f64, Box<dyn std::error::Error + Send + Sync>> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        tasks.push(tokio::spawn(async move {
            let tcp = TcpStream::connect(addr).await?;
            tcp.set_nodelay(true)?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
            tokio::spawn(connection);
            for _ in 0..REQUESTS {
                let req = Request::get("/")
                    .header("host", "bench")
                    .body(Empty::<Bytes>::new())?;
                let resp = sender.send_request(req).await?;
                resp.into_body().collect().await?;
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok((CONNECTIONS * REQUESTS) as f64 / started.elapsed().as_secs_f64())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let with_conn = through_conn().await?;
    let bare = plain().await?;
    // Warm both up.
    rate(with_conn).await?;
    rate(bare).await?;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        a.push(rate(with_conn).await?);
        b.push(rate(bare).await?);
    }
    let (a, b) = (median(a), median(b));
    println!("conn::serve     {a:>10.0} req/s");
    println!("plain TokioIo   {b:>10.0} req/s");
    println!("ratio           {:>10.3}", a / b);
    Ok(())
}
