/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Type checking runs in `npm run typecheck` (TypeScript 7); Next's in-build checker needs the TS 5 JS API.
  typescript: { ignoreBuildErrors: true },
  devIndicators: false,
};

export default nextConfig;
