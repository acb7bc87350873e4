import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { boot } from './lib/app.svelte';

boot();

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing');
export default mount(App, { target });
